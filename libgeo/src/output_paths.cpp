#include "healthreach/geo/output_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/gdal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <optional>

namespace healthreach::geo {

namespace {

struct file_id {
    dev_t dev;
    ino_t ino;
    bool operator==(const file_id& o) const { return dev == o.dev && ino == o.ino; }
};

// stat() follows symbolic links, so a link to an input is the input.
std::optional<file_id> identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return file_id{st.st_dev, st.st_ino};
}

// The path a file not yet written will have: its directory resolved (links included), then its name.
std::string resolved(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
    return ec ? path : p.lexically_normal().string();
}

bool same_file(const std::string& a, const std::string& b) {
    const auto ia = identity(a), ib = identity(b);
    if (ia && ib) return *ia == *ib;
    return resolved(a) == resolved(b);
}

// Whether a file can be created in the output's directory, tried for real: permissions, read-only
// mounts and pseudo file systems (/proc) all answer the same way a write would, before any work.
void check_writable(const std::string& out) {
    const std::filesystem::path dir = std::filesystem::path(out).parent_path();
    const std::string probe = (dir.empty() ? std::filesystem::path(".") : dir) / (".healthreach-probe-" + std::to_string(::getpid()));
    int fd = -1, error = 0;
    {
        const interrupts_held held;  // an interrupt between creating and removing the probe would leave it
        fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        error = errno;
        if (fd >= 0) {
            ::close(fd);
            ::unlink(probe.c_str());
        }
    }
    if (fd < 0 && error != EEXIST)  // EEXIST: a probe of this process already there, the directory takes files
        throw input_error(out + ": cannot write in " + (dir.empty() ? std::string(".") : dir.string()) + ": " + std::strerror(error));
}

}  // namespace

void check_extension(const std::string& path, const std::string& option, const std::vector<std::string>& allowed) {
    if (path.empty()) return;
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string list;
    for (const std::string& a : allowed) {
        if (ext == a) return;
        list += (list.empty() ? "" : " or ") + a;
    }
    throw input_error(option + " " + path + ": the file name must end in " + list +
                      (allowed.front() == ".gpkg" ? " (the layers are written as a GeoPackage)" : ""));
}

void check_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const std::string& out = outputs[i];
        if (out.empty()) continue;
        check_output_path(out);
        check_writable(out);
        for (const std::string& in : inputs)
            if (!in.empty() && same_file(out, in))
                throw input_error(out + ": this output is the input " + in + "; it would be overwritten (choose another output path)");
        for (std::size_t j = 0; j < i; ++j)
            if (!outputs[j].empty() && same_file(out, outputs[j]))
                throw input_error(out + ": given for two outputs (" + outputs[j] + " and " + out + "); each output needs its own file");
    }
}

}  // namespace healthreach::geo
