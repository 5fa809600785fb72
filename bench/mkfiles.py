#!/usr/bin/env python3
"""Many files at once, for the benchmarks (a shell loop forks once per file; this makes 100,000 in seconds).

    mkfiles.py DIR COUNT SIZE [PER_FOLDER [MTIME]]

COUNT files of SIZE random bytes under DIR (made if missing): all in DIR as f0000000, f0000001, ... when
PER_FOLDER is 0 (the default), else PER_FOLDER to a folder, d0000/f0000000, .... Each file's modification time
is MTIME, whole seconds since the epoch (default: an hour ago), so that an S3 server that serves the folder
(s3s-fs gives a file's time as the object's LastModified) and a copy of it made with `cp -a` look the same to
every sync, whole seconds and all.
"""
import os
import sys
import time


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    top, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    mtime = int(sys.argv[5]) if len(sys.argv) > 5 else int(time.time()) - 3600
    made = set()
    for i in range(count):
        folder = os.path.join(top, f"d{i // per:04}") if per else top
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        path = os.path.join(folder, f"f{i:07}")
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        os.utime(path, (mtime, mtime))
    # The folders last: writing into them moved their times.
    for folder in made:
        os.utime(folder, (mtime, mtime))


if __name__ == "__main__":
    main()
