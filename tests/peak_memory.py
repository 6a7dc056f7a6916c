"""The peak memory of a test's fresh interpreter, as code to put in its script.

On Linux, `ru_maxrss` keeps the parent's peak across fork and exec, so a child of a big pytest
process reports pytest's peak; the kernel's `VmHWM` of the child's own memory map does not."""

PEAK_MB = r'''
def peak_mb():
    """This process's own peak resident memory, in MiB."""
    import re, resource
    try:
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
'''
