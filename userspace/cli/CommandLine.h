// Parses argv into Options with the earlier Python tool's grammar (docs/spec/CLI.md):
// its invocations keep working, including argparse's unique prefixes of
// long flags (--max-f for --max-flows).
#pragma once

#include <string>
#include <variant>

#include "cli/Options.h"

namespace netflow {

// Exit codes of docs/spec/CLI.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

// What the command line asked for: options to run with, or a text to print
// and an exit code (help: stdout, 0; usage error: one line on stderr, 2).
struct CommandLineExit {
    std::string text;
    int exit_code;
};

std::variant<Options, CommandLineExit> parseCommandLine(int argc, const char *const *argv);

}  // namespace netflow
