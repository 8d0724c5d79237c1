#!/usr/bin/env python3
"""The source tree keeps the rules docs/ and STYLE name (ctest: source_rules).

    check_source.py REPO            both checks
    check_source.py REPO layers     the layer check alone
    check_source.py REPO format     the clang-format check alone

layers: every folder of userspace/ is a row of docs/architecture.md's table
"Folders as layers", and each of its files includes only folders of rows
above its own or its own. An include is resolved as the compiler finds
it (next to the file, then userspace/, bpf/, bpf/core/; quoted or in
angle brackets, with "../" or without). Files directly in userspace/
(main.cpp) are the entry, above every folder. bpf/core/ includes nothing
of bpf/ outside it (the core is compiled for userspace too), and bpf/
nothing of userspace/.

format: every C and C++ file is as clang-format 14 (the repo's
.clang-format; the one `make format` runs) writes it.

Prints one line per finding and exits 1 when there is any; 2 when the
table or clang-format cannot be found.
"""
import os
import re
import shutil
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+["<]([^">]+)[">]')
SOURCE_SUFFIXES = ('.c', '.h', '.cpp', '.hpp')
CLANG_FORMAT_MAJOR = 14  # Debian 12's; the tree is formatted with it


def give_up(message):
    print(f'check_source: {message}', file=sys.stderr)
    sys.exit(2)


def layer_folders(repo):
    """The userspace folders of the table, top (most basic) first."""
    path = os.path.join(repo, 'docs', 'architecture.md')
    folders, in_table = [], False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('## '):
                in_table = line.strip() == '## Folders as layers'
                continue
            m = re.match(r'^\|[^|]*\|\s*`([^`]+)`', line) if in_table else None
            if not m:
                continue
            folder = m.group(1).strip('/')
            if folder.startswith('bpf'):
                continue  # the kernel side: checked on its own below
            folders.append(folder.removeprefix('userspace/'))
    if not folders:
        give_up(f'no layer table in {path}')
    return folders


def includes(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield number, m.group(1)


def resolve(repo, including_dir, target):
    """The tree's file an include names, relative to the repo, or None (a
    system header): as the compiler finds it, next to the including file
    first, then on the include path (userspace, bpf, bpf/core)."""
    for base in (including_dir, os.path.join(repo, 'userspace'), os.path.join(repo, 'bpf'),
                 os.path.join(repo, 'bpf', 'core')):
        path = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(path):
            return os.path.relpath(path, repo)
    return None


def check_layers(repo):
    folders = layer_folders(repo)
    rank = {folder: i for i, folder in enumerate(folders)}
    findings = []
    userspace = os.path.join(repo, 'userspace')
    for entry in sorted(os.listdir(userspace)):
        if os.path.isdir(os.path.join(userspace, entry)) and entry not in rank:
            findings.append(f'userspace/{entry}/: not in the table of docs/architecture.md '
                            '("Folders as layers")')
    for root, _, files in os.walk(userspace):
        rel = os.path.relpath(root, repo)
        parts = rel.split(os.sep)
        if len(parts) > 1 and parts[1] not in rank:
            continue  # reported above
        own = rank[parts[1]] if len(parts) > 1 else len(folders)
        where = f'{parts[1]}/' if len(parts) > 1 else 'the entry'
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            for number, target in includes(os.path.join(root, name)):
                found = resolve(repo, root, target)
                parts_found = found.split(os.sep) if found else []
                if len(parts_found) < 3 or parts_found[0] != 'userspace':
                    continue  # the kernel side, a system header, or main.cpp
                head = parts_found[1]
                if head in rank and rank[head] > own:
                    findings.append(f'{rel}/{name}:{number}: includes "{target}": {head}/ '
                                    f'comes after {where} in the layer table')
    bpf = os.path.join(repo, 'bpf')
    for root, _, files in os.walk(bpf):
        in_core = os.path.relpath(root, bpf) == 'core'
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            rel = os.path.relpath(os.path.join(root, name), repo)
            for number, target in includes(os.path.join(root, name)):
                found = resolve(repo, root, target)
                if found is None:
                    continue  # a system or libbpf header
                if found.startswith('userspace' + os.sep):
                    findings.append(f'{rel}:{number}: includes "{target}": the kernel side '
                                    'includes nothing of userspace/')
                elif in_core and os.path.dirname(found) != os.path.join('bpf', 'core'):
                    findings.append(f'{rel}:{number}: includes "{target}": bpf/core/ '
                                    'includes only bpf/core/')
    return findings


def source_files(repo):
    try:
        out = subprocess.run(['git', '-C', repo, 'ls-files', '-z', '*.c', '*.h', '*.cpp', '*.hpp'],
                             capture_output=True, text=True, check=True).stdout
        return [os.path.join(repo, p) for p in out.split('\0') if p]
    except (OSError, subprocess.CalledProcessError):  # not a checkout: a copy of the tree
        print('check_source: not a git checkout: the C and C++ files of userspace, bpf, '
              'tests, fuzz and tools')
        found = []
        for top in ('userspace', 'bpf', 'tests', 'fuzz', 'tools'):
            for root, _, files in os.walk(os.path.join(repo, top)):
                found += [os.path.join(root, f) for f in files if f.endswith(SOURCE_SUFFIXES)]
        return sorted(found)


def check_format(repo):
    # The one `make format` runs, of the major version the tree is
    # formatted with (another version formats some constructs otherwise).
    tool = shutil.which('clang-format') or shutil.which(f'clang-format-{CLANG_FORMAT_MAJOR}')
    if not tool:
        give_up('no clang-format (make deps installs it)')
    version = subprocess.run([tool, '--version'], capture_output=True, text=True).stdout
    m = re.search(r'version (\d+)\.', version)
    if not m or int(m.group(1)) != CLANG_FORMAT_MAJOR:
        give_up(f'{tool} is not clang-format {CLANG_FORMAT_MAJOR}: {version.strip()}')
    files = source_files(repo)
    if not files:
        give_up(f'no C or C++ files under {repo}')
    run = subprocess.run([tool, '--dry-run', '--Werror', '--style=file'] + files, cwd=repo,
                         capture_output=True, text=True)
    lines = {}
    for line in run.stderr.splitlines():
        m = re.match(r'^(.+?):(\d+):\d+: error: ', line)
        if m:
            lines.setdefault(os.path.relpath(m.group(1), repo), set()).add(int(m.group(2)))
    findings = [f'{path}:{min(numbers)}: not as clang-format writes it (lines '
                f'{", ".join(map(str, sorted(numbers)))}; make format)'
                for path, numbers in sorted(lines.items())]
    if run.returncode != 0 and not findings:
        findings.append(f'clang-format failed: {run.stderr.strip().splitlines()[-1:]}')
    return findings


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] not in ('layers',
                                                                                     'format')):
        sys.exit(f'usage: {sys.argv[0]} REPO [layers|format]')
    repo = sys.argv[1]
    which = sys.argv[2:] or ['layers', 'format']
    findings = []
    if 'layers' in which:
        findings += check_layers(repo)
    if 'format' in which:
        findings += check_format(repo)
    for finding in findings:
        print(finding)
    print(f'check_source: {len(findings)} finding(s) ({", ".join(which)})')
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
