// RAII over a `bpftool gen skeleton` object, after Katran's BpfSkeleton<T>:
// T is the skeleton struct, whose C++ static members open/load/destroy the
// generated header provides. The destructor destroys the skeleton, which
// closes every map and program fd and detaches what it attached.
#pragma once

#include <bpf/libbpf.h>

#include <cerrno>
#include <string>
#include <utility>

#include "kernel/KernelError.h"

namespace netflow {

template <typename T>
class BpfSkeleton {
  public:
    // Opens (parses the embedded object); knobs may be set until load().
    // Throws KernelError.
    explicit BpfSkeleton(std::string name) : name_(std::move(name)), skel_(T::open()) {
        if (!skel_)
            throw KernelError(errnoMessage("opening BPF object " + name_, errno));
    }
    ~BpfSkeleton() {
        if (skel_)
            T::destroy(skel_);
    }
    BpfSkeleton(const BpfSkeleton &) = delete;
    BpfSkeleton &operator=(const BpfSkeleton &) = delete;
    BpfSkeleton(BpfSkeleton &&other) noexcept
        : name_(std::move(other.name_)), skel_(std::exchange(other.skel_, nullptr)) {}
    BpfSkeleton &operator=(BpfSkeleton &&) = delete;

    // Creates the maps and loads the programs (the verifier runs here).
    // Throws KernelError; with -v, libbpf's log says why (runKernelLive routes it).
    void load() {
        int err = T::load(skel_);
        if (err)
            throw KernelError(errnoMessage("loading BPF object " + name_, err));
    }

    T *get() const { return skel_; }
    T *operator->() const { return skel_; }

  private:
    std::string name_;
    T *skel_;
};

}  // namespace netflow
