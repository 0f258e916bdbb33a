#include "healthreach/geo/atomic_output.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace healthreach::geo {

namespace {

// SQLite (GeoPackage) writes these beside a database while it is open.
constexpr const char* side_suffixes[] = {"", "-journal", "-wal", "-shm"};

// Temporary files of this process, readable by a signal handler: fixed slots, no allocation.
constexpr int slot_count = 64;
constexpr std::size_t slot_size = 4096;
struct slot {
    std::atomic<int> state{0};  // 0 free, 1 being filled, 2 holds a path
    char path[slot_size];
};
slot slots[slot_count];

int register_temporary(const std::string& path) {
    if (path.size() + 16 >= slot_size) return -1;
    for (int i = 0; i < slot_count; ++i) {
        int expected = 0;
        if (!slots[i].state.compare_exchange_strong(expected, 1)) continue;
        std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
        slots[i].state.store(2);
        return i;
    }
    return -1;  // more open outputs than slots: this one is not removed on an interrupt
}

void unregister_temporary(int i) {
    if (i >= 0) slots[i].state.store(0);
}

// Only async-signal-safe calls: unlink, signal, raise.
extern "C" void on_interrupt(int sig) {
    for (slot& s : slots) {
        if (s.state.load() != 2) continue;
        char path[slot_size + 16];
        const std::size_t n = std::strlen(s.path);
        for (const char* suffix : side_suffixes) {
            std::memcpy(path, s.path, n);
            std::strcpy(path + n, suffix);
            ::unlink(path);
        }
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void remove_with_side_files(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : side_suffixes) std::filesystem::remove(path + suffix, ec);
}

// The temporary names a target's writers use: `.NAME.healthreach-PID-N.tmp.EXT`, NAME cut so that
// the whole stays within the file system's 255-byte limit.
std::string temp_prefix(const std::filesystem::path& target) {
    const std::string name = target.filename().string(), ext = target.extension().string();
    const std::size_t room = 255 - 48 - std::min<std::size_t>(ext.size(), 32);
    return "." + name.substr(0, room) + ".healthreach-";
}

// Temporaries of the same target left by processes that no longer run.
void remove_stale_temporaries(const std::filesystem::path& target) {
    const std::string prefix = temp_prefix(target);
    const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
        if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
            stale.push_back((dir / name).string());
    }
    ::closedir(d);
    std::error_code ec;
    for (const std::string& p : stale) std::filesystem::remove(p, ec);
}

void rename_into_place(const std::string& temp, const std::string& target) {
    std::error_code ec;
    std::filesystem::rename(temp, target, ec);
    if (ec) throw std::runtime_error(target + ": cannot move output into place: " + ec.message());
}

thread_local output_transaction* open_transaction = nullptr;

}  // namespace

interrupts_held::interrupts_held() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s, &old_);
}

interrupts_held::~interrupts_held() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

atomic_output::atomic_output(std::string target) : target_(std::move(target)) {
    check_output_path(target_);
    const std::filesystem::path t(target_);
    remove_stale_temporaries(t);
    static std::atomic<unsigned> counter{0};
    temp_ = (t.parent_path() / (temp_prefix(t) + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".tmp" +
                                t.extension().string()))
                .string();
    slot_ = register_temporary(temp_);
}

atomic_output::~atomic_output() {
    if (done_) return;
    remove_with_side_files(temp_);
    unregister_temporary(slot_);
}

void atomic_output::commit() {
    done_ = true;
    if (open_transaction) {
        open_transaction->pending_.push_back({temp_, target_, slot_});  // still registered: removed on an interrupt
        return;
    }
    rename_into_place(temp_, target_);
    unregister_temporary(slot_);
}

output_transaction::output_transaction() : outer_(open_transaction) { open_transaction = this; }

output_transaction::~output_transaction() {
    open_transaction = outer_;
    for (const pending_output& p : pending_) {
        remove_with_side_files(p.temp);
        unregister_temporary(p.slot);
    }
}

void output_transaction::commit() {
    {
        const interrupts_held held;
        for (const pending_output& p : pending_) rename_into_place(p.temp, p.target);
    }
    for (const pending_output& p : pending_) unregister_temporary(p.slot);
    pending_.clear();
}

std::string output_transaction::readable_path(const std::string& target) {
    for (const output_transaction* t = open_transaction; t; t = t->outer_)
        for (const pending_output& p : t->pending_)
            if (p.target == target) return p.temp;
    return target;
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
    atomic_output out(path);
    std::FILE* f = std::fopen(out.temp_path().c_str(), "wb");
    if (!f) throw input_error(path + ": cannot create: " + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error(path + ": write failed: " + std::strerror(errno));
    out.commit();
}

void remove_temporaries_on_interrupt() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace healthreach::geo
