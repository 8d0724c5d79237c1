// The error convention (docs/architecture.md): a fallible call returns a
// Result — a value, or one line saying what failed — and exceptions are
// thrown only where a constructor cannot acquire what it owns (a file, a
// kernel handle, a library's state).
//
//   Result<int> n = read();           if (!n) return fail(n.error());
//   Result<void> ok = detach();       if (!ok) report(ok.error());
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace netflow {

// A value or a one-line error message.
template <typename T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
    static Result failure(std::string message) { return Result(Error{std::move(message)}); }

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() { return std::get<0>(v_); }
    const T &value() const { return std::get<0>(v_); }
    const std::string &error() const { return std::get<1>(v_).message; }

  private:
    struct Error {
        std::string message;
    };
    explicit Result(Error e) : v_(std::move(e)) {}
    std::variant<T, Error> v_;
};

// Success or a one-line error message.
template <>
class Result<void> {
  public:
    Result() = default;
    static Result failure(std::string message) {
        Result r;
        r.error_ = std::move(message);
        r.failed_ = true;
        return r;
    }
    // A "" -or-message string (what libraries and older calls give).
    static Result fromMessage(std::string message) {
        return message.empty() ? Result{} : failure(std::move(message));
    }

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const std::string &error() const { return error_; }

  private:
    std::string error_;
    bool failed_ = false;
};

// "what: strerror (errno N)". `err` may be negative, as libbpf returns it.
// For EPERM/EACCES it says which privileges the kernel path needs.
std::string errnoMessage(const std::string &what, int err);

// What the kernel path needs (packaging/netflow@.service grants the same;
// CAP_PERFMON lets the verifier accept the counting programs' pointer
// arithmetic and spectre-unsafe branches).
inline constexpr const char *kKernelPrivileges =
    "need root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN";

}  // namespace netflow
