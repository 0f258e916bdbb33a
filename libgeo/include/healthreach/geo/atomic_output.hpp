#pragma once
// Outputs are written under a temporary name beside their target and take the target's name only
// when complete, so that a failed or interrupted run never leaves a half-written file in place of
// a good one.
//
// - atomic_output: one file. Its temporary name holds the writer's process id
//   (`.NAME.healthreach-PID-N.tmp.EXT`), so a later run writing the same target removes the
//   temporaries of runs that died (SIGKILL, power loss) and leaves a live run's alone.
// - output_transaction: every output of one run. While one is open on a thread, commit() hands the
//   finished file to it; the transaction renames them all at the end with SIGINT and SIGTERM
//   blocked, so an interruption leaves either every new output or every old one.
// - remove_temporaries_on_interrupt(): SIGINT and SIGTERM remove the temporary files of the
//   process before it dies of the signal (a front end calls it once).
#include <signal.h>

#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo {

class atomic_output {
public:
    explicit atomic_output(std::string target);
    ~atomic_output();  // uncommitted: the temporary file (and its side files) removed
    atomic_output(const atomic_output&) = delete;
    atomic_output& operator=(const atomic_output&) = delete;

    const std::string& temp_path() const { return temp_; }
    const std::string& target() const { return target_; }
    // Renames the file into place, or hands it to the thread's open output_transaction.
    void commit();

private:
    std::string target_, temp_;
    int slot_ = -1;  // in the table the interrupt handler reads
    bool done_ = false;
};

class output_transaction {
public:
    output_transaction();
    ~output_transaction();  // not committed: every pending temporary file removed
    output_transaction(const output_transaction&) = delete;
    output_transaction& operator=(const output_transaction&) = delete;

    // Renames every pending output into place, SIGINT and SIGTERM held back meanwhile.
    void commit();

    // The file to read `target` from: its finished temporary file while a transaction of this
    // thread holds it (a map drawn from the GeoPackage of the same run), else the target itself.
    static std::string readable_path(const std::string& target);

private:
    friend class atomic_output;
    struct pending_output {
        std::string temp, target;
        int slot;
    };
    std::vector<pending_output> pending_;
    output_transaction* outer_;
};

// SIGINT and SIGTERM held back for a scope (the calling thread), delivered when it ends: for steps
// that must not be cut in two (a run's renames, a probe file's creation and removal).
class interrupts_held {
public:
    interrupts_held();
    ~interrupts_held();
    interrupts_held(const interrupts_held&) = delete;
    interrupts_held& operator=(const interrupts_held&) = delete;

private:
    sigset_t old_;
};

// Bytes written to `path` through an atomic_output.
void write_file_atomically(const std::string& path, const std::string& bytes);

void remove_temporaries_on_interrupt();

}  // namespace healthreach::geo
