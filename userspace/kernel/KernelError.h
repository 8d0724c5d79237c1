// Errors of the kernel path (loading programs, reading maps): one line
// each, with the errno, e.g. "loading netflow_bpf: Operation not permitted
// (errno 1)". Constructors that acquire kernel handles throw KernelError;
// readers return a Result so that a failed read is a value, not a throw.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace netflow {

struct KernelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "what: strerror (errno N)". `err` may be negative, as libbpf returns it.
std::string errnoMessage(const std::string &what, int err);

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

}  // namespace netflow
