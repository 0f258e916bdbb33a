// healthreach-mpi: `healthreach coverage --partition ...` with the parts spread over MPI ranks. Every
// rank reads the inputs and prepares the analysis; rank 0 hands the parts out from a queue (largest
// first), the other ranks run them and send their results back, and rank 0 merges and writes. Any
// rank's failure aborts the whole job (MPI_Abort) before rank 0 writes anything: outputs are written
// atomically, so nothing partial is left. The library knows nothing of MPI.
#include "cli.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/partition.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using namespace healthreach;

constexpr int tag_part = 1, tag_result = 2;
constexpr int no_more_parts = -1;

// A part's result as bytes: every array with its length in front.
class bytes_out {
public:
    template <class T>
    void put(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const std::uint64_t n = v.size();
        append(&n, sizeof n);
        append(v.data(), n * sizeof(T));
    }
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        append(&v, sizeof v);
    }
    const std::vector<char>& data() const { return data_; }

private:
    void append(const void* p, std::size_t n) {
        const char* c = static_cast<const char*>(p);
        data_.insert(data_.end(), c, c + n);
    }
    std::vector<char> data_;
};

class bytes_in {
public:
    explicit bytes_in(const std::vector<char>& data) : data_(data) {}
    template <class T>
    void get(std::vector<T>& v) {
        std::uint64_t n = 0;
        take(&n, sizeof n);
        v.resize(n);
        take(v.data(), n * sizeof(T));
    }
    template <class T>
    void get(T& v) {
        take(&v, sizeof v);
    }

private:
    void take(void* p, std::size_t n) {
        if (at_ + n > data_.size()) throw std::runtime_error("a part's result message is truncated");
        std::memcpy(p, data_.data() + at_, n);
        at_ += n;
    }
    const std::vector<char>& data_;
    std::size_t at_ = 0;
};

std::vector<char> encode(const geo::part_result& r) {
    bytes_out b;
    b.put(r.part);
    for (const geo::nearest_result* n : {&r.nearest, &r.cell_nearest}) {
        b.put(n->site);
        b.put(n->cost);
        b.put(n->other);
    }
    b.put(r.within_site), b.put(r.within_point), b.put(r.within_cost);
    b.put(r.cell_site), b.put(r.cell_point), b.put(r.cell_cost);
    b.put(r.halo_m), b.put(r.seconds), b.put(r.nodes), b.put(r.edges), b.put(r.widenings);
    return b.data();
}

geo::part_result decode(const std::vector<char>& data) {
    geo::part_result r;
    bytes_in b(data);
    b.get(r.part);
    for (geo::nearest_result* n : {&r.nearest, &r.cell_nearest}) {
        b.get(n->site);
        b.get(n->cost);
        b.get(n->other);
    }
    b.get(r.within_site), b.get(r.within_point), b.get(r.within_cost);
    b.get(r.cell_site), b.get(r.cell_point), b.get(r.cell_cost);
    b.get(r.halo_m), b.get(r.seconds), b.get(r.nodes), b.get(r.edges), b.get(r.widenings);
    return r;
}

// Rank 0: a queue of parts, largest first (points to search), handed to the ranks as they ask.
std::vector<geo::part_result> lead_parts(const geo::partition_plan& plan, int ranks) {
    std::vector<int> queue(plan.names.size());
    std::iota(queue.begin(), queue.end(), 0);
    std::stable_sort(queue.begin(), queue.end(), [&](int x, int y) {
        return plan.demand[x].size() + plan.cells[x].size() > plan.demand[y].size() + plan.cells[y].size();
    });
    std::size_t next = 0;
    int busy = 0;
    auto hand_out = [&](int rank) {
        const int part = next < queue.size() ? queue[next++] : no_more_parts;
        MPI_Send(&part, 1, MPI_INT, rank, tag_part, MPI_COMM_WORLD);
        if (part != no_more_parts) ++busy;
    };
    for (int rank = 1; rank < ranks; ++rank) hand_out(rank);
    std::vector<geo::part_result> results;
    while (busy > 0) {
        MPI_Status status;
        MPI_Probe(MPI_ANY_SOURCE, tag_result, MPI_COMM_WORLD, &status);
        int size = 0;
        MPI_Get_count(&status, MPI_CHAR, &size);
        std::vector<char> data(static_cast<std::size_t>(size));
        MPI_Recv(data.data(), size, MPI_CHAR, status.MPI_SOURCE, tag_result, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        --busy;
        results.push_back(decode(data));
        hand_out(status.MPI_SOURCE);
    }
    return results;
}

// Other ranks: run the parts rank 0 hands out until it says there are no more.
void follow_parts(const geo::analysis& a, const geo::partition_plan& plan) {
    for (;;) {
        int part = no_more_parts;
        MPI_Recv(&part, 1, MPI_INT, 0, tag_part, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (part == no_more_parts) return;
        const std::vector<char> data = encode(geo::run_part(a, plan, static_cast<std::size_t>(part)));
        if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
            throw std::runtime_error("part " + plan.names[part] + ": its result exceeds 2 GiB, one MPI message: use smaller parts");
        MPI_Send(data.data(), static_cast<int>(data.size()), MPI_CHAR, 0, tag_result, MPI_COMM_WORLD);
    }
}

// Thrown on ranks other than 0 once their parts are done: the rest of the job (merging, writing) is rank 0's.
struct parts_done {};

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);

    const geo::part_runner runner = [rank, ranks](const geo::analysis& a, const geo::partition_plan& plan) {
        if (ranks == 1) return geo::run_parts_here(a, plan);
        if (rank == 0) return lead_parts(plan, ranks);
        follow_parts(a, plan);
        throw parts_done{};
    };
    CLI::App app{"healthreach-mpi: healthreach coverage with --partition, its parts run on the ranks of an MPI job"};
    app.require_subcommand(1);
    const cli::command_runner coverage = cli::add_coverage_command(app, runner);
    // Only rank 0 speaks (progress, summary, JSON); every rank's errors still reach stderr.
    std::vector<char*> args(argv, argv + argc);
    char quiet[] = "--quiet";
    if (rank != 0) args.push_back(quiet);

    int code = 0;
    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::ParseError& e) {
        code = app.exit(e) == 0 ? 0 : 2;
        MPI_Finalize();
        return code;
    }
    auto fail = [&](const char* kind, const char* what, int exit_code) {
        std::fprintf(stderr, "healthreach-mpi coverage: rank %d of %d: %s: %s\n", rank, ranks, kind, what);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, exit_code);
        return exit_code;
    };
    try {
        if (app.get_subcommands().front()->get_option("--partition")->empty())
            throw input_error("--partition is required: the ranks share out its parts");
        geo::init_gdal();
        geo::remove_temporaries_on_interrupt();
        code = coverage();
    } catch (const parts_done&) {
        code = 0;
    } catch (const input_error& e) {
        return fail("error", e.what(), 2);
    } catch (const std::exception& e) {
        return fail("failure", e.what(), 1);
    }
    MPI_Finalize();
    return code;
}
