// A rules file that cannot be used: the message names the file, line and
// column ("rules.csv:3:17: port 70000 is not 0-65535"). Thrown while the
// rules are read, before any packet is.
#pragma once

#include <stdexcept>
#include <string>

namespace netflow {

class LabelError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace netflow
