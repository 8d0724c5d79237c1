#include "capture/CaptureInputs.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

#include "common/CaptureMagic.h"
#include "common/UniqueFd.h"

namespace netflow {
namespace {

bool naturalLess(const std::string &a, const std::string &b) {
    return ::strverscmp(a.c_str(), b.c_str()) < 0;
}

bool isDirectory(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool isRegular(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool hasGlobChars(const std::string &s) {
    return s.find_first_of("*?[") != std::string::npos;
}

std::vector<std::string> directoryCaptures(const std::string &dir) {
    std::vector<std::string> found;
    std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(dir.c_str()), ::closedir);
    if (!d)
        return found;
    const std::string prefix = dir.back() == '/' ? dir : dir + "/";
    while (const dirent *e = ::readdir(d.get())) {
        if (e->d_name[0] == '.')
            continue;  // ., .., hidden files
        std::string path = prefix + e->d_name;
        if (isRegular(path) && looksLikeCapture(path))
            found.push_back(std::move(path));
    }
    std::sort(found.begin(), found.end(), naturalLess);
    return found;
}

std::vector<std::string> globMatches(const std::string &pattern) {
    std::vector<std::string> found;
    glob_t g{};
    if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            if (isRegular(g.gl_pathv[i]))
                found.emplace_back(g.gl_pathv[i]);
        }
    }
    ::globfree(&g);
    std::sort(found.begin(), found.end(), naturalLess);
    return found;
}

}  // namespace

bool looksLikeCapture(const std::string &path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd)
        return false;
    uint8_t b[4] = {};
    const ssize_t n = ::read(fd.get(), b, sizeof b);
    return n == 4 && captureFormatOf(b) != nullptr;
}

CaptureInputs expandCaptureInputs(const std::vector<std::string> &args) {
    CaptureInputs out;
    std::set<std::pair<dev_t, ino_t>> seen;
    bool stdin_seen = false;
    auto add = [&](const std::string &path) {
        struct stat st {};
        if (path == "-"
                ? std::exchange(stdin_seen, true)
                : ::stat(path.c_str(), &st) == 0 && !seen.insert({st.st_dev, st.st_ino}).second)
            return;
        out.files.push_back(path);
    };
    for (const std::string &arg : args) {
        if (arg == "-") {
            add(arg);
        } else if (isDirectory(arg)) {
            std::vector<std::string> found = directoryCaptures(arg);
            if (found.empty())
                out.problems.push_back(arg + ": no pcap or pcapng file in this directory");
            for (const std::string &f : found)
                add(f);
        } else if (::access(arg.c_str(), F_OK) != 0 && hasGlobChars(arg)) {
            std::vector<std::string> found = globMatches(arg);
            if (found.empty())
                out.problems.push_back(arg + ": no file matches");
            for (const std::string &f : found)
                add(f);
        } else {
            add(arg);  // opened later: a missing file is reported there
        }
    }
    return out;
}

}  // namespace netflow
