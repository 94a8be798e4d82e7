/* The zygote's hot path in C: one test child forked, set up, waited for and read back.
 *
 * After fork the kernel write-protects every page of the zygote; each page that the child or
 * the zygote then writes is copied on a fault, which costs microseconds in a virtual machine.
 * Done in Python, one test (reset the memfds, fork, set up the child, wait, read the outputs)
 * writes a few hundred pages: argument tuples, integers, function objects, ctypes machinery.
 * Done here it writes a few.  The zygote stores its settings once with configure(); run()
 * then handles one test.  judge/sandbox/zygote.py has the same steps in Python, used when
 * this module is not built.
 *
 * A child whose set-up fails writes a status note to fd 3 and exits with 125: the zygote
 * reports an internal error, as it does for the Python version.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

enum { STATUS_FD = 3, CALL_FD = 4 };

static struct {
    int configured;
    int stdin_fd, stdout_fd, stderr_fd, status_fd, scope_fd;
    char scratch[4096];
    rlim_t cpu_soft, cpu_hard, fsize;
    long long uid; /* -1: keep the zygote's */
    int keep_dac_read;
    pid_t zygote;
    struct sock_filter *filter;
    unsigned short filter_len;
} cfg;

static void fail(const char *step) {
    int err = errno;
    char note[512];
    int n = snprintf(note, sizeof note,
                     "{\"phase\":\"setup\",\"exc\":\"OSError\",\"msg\":\"%s: %s\",\"exit\":125}",
                     step, strerror(err));
    if (n > 0) {
        if (ftruncate(STATUS_FD, 0) == 0 && pwrite(STATUS_FD, note, (size_t)n, 0) < 0) { /* nothing left to tell */ }
    }
    _exit(125);
}

static PyObject *configure(PyObject *self, PyObject *args) {
    (void)self;
    const char *scratch;
    Py_buffer filter;
    unsigned long long cpu_soft, cpu_hard, fsize;
    if (!PyArg_ParseTuple(args, "iiiiisKKKLpiy*", &cfg.stdin_fd, &cfg.stdout_fd, &cfg.stderr_fd,
                          &cfg.status_fd, &cfg.scope_fd, &scratch, &cpu_soft, &cpu_hard, &fsize,
                          &cfg.uid, &cfg.keep_dac_read, &cfg.zygote, &filter))
        return NULL;
    if (strlen(scratch) >= sizeof cfg.scratch || filter.len % sizeof(struct sock_filter) != 0
        || filter.len / sizeof(struct sock_filter) > 0xFFFF) {
        PyBuffer_Release(&filter);
        PyErr_SetString(PyExc_ValueError, "scratch path too long or malformed filter");
        return NULL;
    }
    strcpy(cfg.scratch, scratch);
    cfg.cpu_soft = (rlim_t)cpu_soft;
    cfg.cpu_hard = (rlim_t)cpu_hard;
    cfg.fsize = (rlim_t)fsize;
    PyMem_RawFree(cfg.filter);
    cfg.filter = PyMem_RawMalloc(filter.len);
    if (cfg.filter == NULL) {
        PyBuffer_Release(&filter);
        return PyErr_NoMemory();
    }
    memcpy(cfg.filter, filter.buf, filter.len);
    cfg.filter_len = (unsigned short)(filter.len / sizeof(struct sock_filter));
    PyBuffer_Release(&filter);
    cfg.configured = 1;
    Py_RETURN_NONE;
}

/* Everything between fork and the program; returns only when the child is ready to run it. */
static void setup_child(long call_fd) {
    if (dup2(cfg.stdin_fd, 0) < 0 || dup2(cfg.stdout_fd, 1) < 0 || dup2(cfg.stderr_fd, 2) < 0
        || dup2(cfg.status_fd, STATUS_FD) < 0)
        _exit(125); /* no status fd to write to */
    if (call_fd >= 0 && dup2((int)call_fd, CALL_FD) < 0)
        fail("dup2");
    if (cfg.scope_fd >= 0 && syscall(SYS_landlock_restrict_self, cfg.scope_fd, 0) != 0)
        fail("landlock_restrict_self");
    if (syscall(SYS_close_range, CALL_FD + 1, ~0U, 0) != 0)
        fail("close_range");
    if (chdir(cfg.scratch) != 0)
        fail("chdir");
    struct rlimit cpu = {cfg.cpu_soft, cfg.cpu_hard}, fsize = {cfg.fsize, cfg.fsize};
    if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_FSIZE, &fsize) != 0)
        fail("setrlimit");
    if (cfg.uid >= 0) {
        uid_t id = (uid_t)cfg.uid;
        if (cfg.keep_dac_read && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
            fail("prctl(KEEPCAPS)");
        if (setgroups(0, NULL) != 0 || setresgid(id, id, id) != 0 || setresuid(id, id, id) != 0)
            fail("setresuid");
        if (cfg.keep_dac_read) {
            struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
            struct __user_cap_data_struct data[2] = {{0}};
            data[0].effective = data[0].permitted = 1U << CAP_DAC_READ_SEARCH;
            if (syscall(SYS_capset, &header, data) != 0)
                fail("capset");
        }
    }
    /* Set after the uid change, which clears it: the child must not outlive its zygote. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        fail("prctl(PDEATHSIG)");
    if (getppid() != cfg.zygote)
        _exit(125);
    struct sock_fprog prog = {cfg.filter_len, cfg.filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) != 0)
        fail("seccomp");
}

static int reset(int fd) { return ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1; }

static int write_at_start(int fd, const char *data, Py_ssize_t size) {
    if (ftruncate(fd, 0) != 0)
        return -1;
    for (Py_ssize_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, (size_t)(size - done), (off_t)done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += n;
    }
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

/* Up to `limit` bytes of a memfd, from its start or (tail) its end; sets *size to its size. */
static PyObject *read_memfd(int fd, Py_ssize_t limit, int tail, long long *size) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    *size = (long long)st.st_size;
    Py_ssize_t want = st.st_size < limit ? (Py_ssize_t)st.st_size : limit;
    off_t from = tail ? st.st_size - want : 0;
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, want);
    if (bytes == NULL)
        return NULL;
    Py_ssize_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, PyBytes_AS_STRING(bytes) + got, (size_t)(want - got), from + got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    if (got < want && _PyBytes_Resize(&bytes, got) != 0)
        return NULL;
    return bytes;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* run(stdin, call_fd, wall_seconds, output_limit): fork one test child.
 *
 * In the child: set up, then return None (the caller runs the program).  In the zygote: wait
 * for the child under the wall-clock watchdog and return (exit code or None, signal or None,
 * CPU seconds, wall seconds, peak RSS in KiB, watchdog fired, stdout (at most output_limit
 * bytes), stdout size, stderr tail, status note).  The stderr tail and the status note are read
 * only when the child did not exit with 0: nothing uses them otherwise.
 */
static PyObject *run(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer input;
    int call_fd;
    double wall_limit;
    Py_ssize_t output_limit;
    if (!PyArg_ParseTuple(args, "y*idn", &input, &call_fd, &wall_limit, &output_limit))
        return NULL;
    if (!cfg.configured) {
        PyBuffer_Release(&input);
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    int failed = reset(cfg.stdout_fd) || reset(cfg.stderr_fd) || reset(cfg.status_fd)
                 || write_at_start(cfg.stdin_fd, input.buf, input.len);
    PyBuffer_Release(&input);
    if (failed)
        return PyErr_SetFromErrno(PyExc_OSError);
    double start = now();
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        setup_child(call_fd);
        Py_RETURN_NONE;
    }
    int saved = errno;
    PyOS_AfterFork_Parent();
    if (pid < 0) {
        errno = saved;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    int watchdog = 0, status = 0;
    struct rusage usage;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        struct pollfd pfd = {pidfd, POLLIN, 0};
        double deadline = start + wall_limit;
        for (;;) {
            int left = (int)((deadline - now()) * 1000.0) + 1;
            int ready = left > 0 ? poll(&pfd, 1, left) : 0;
            if (ready > 0)
                break;
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0 && now() < deadline)
                continue;
            watchdog = 1;
            kill(pid, SIGKILL);
            break;
        }
        close(pidfd);
    }
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR)
            return PyErr_SetFromErrno(PyExc_OSError);
    }
    double wall = now() - start;
    long long stdout_size = 0, ignored = 0;
    int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    PyObject *out = read_memfd(cfg.stdout_fd, output_limit, 0, &stdout_size);
    PyObject *err = clean ? PyBytes_FromStringAndSize(NULL, 0) : read_memfd(cfg.stderr_fd, 2048, 1, &ignored);
    PyObject *note = clean ? PyBytes_FromStringAndSize(NULL, 0) : read_memfd(cfg.status_fd, 4096, 0, &ignored);
    if (out == NULL || err == NULL || note == NULL) {
        Py_XDECREF(out);
        Py_XDECREF(err);
        Py_XDECREF(note);
        return NULL;
    }
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec
                 + usage.ru_stime.tv_usec * 1e-6;
    PyObject *exit_code = WIFEXITED(status) ? PyLong_FromLong(WEXITSTATUS(status)) : Py_NewRef(Py_None);
    PyObject *signal_number = WIFSIGNALED(status) ? PyLong_FromLong(WTERMSIG(status)) : Py_NewRef(Py_None);
    return Py_BuildValue("(NNddlONLNN)", exit_code, signal_number, cpu, wall, usage.ru_maxrss,
                         watchdog ? Py_True : Py_False, out, stdout_size, err, note);
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(stdin, stdout, stderr, status, scope_fd, scratch, cpu_soft, cpu_hard, fsize, uid, "
     "keep_dac_read, zygote_pid, filter): store what every child sets up (in the zygote, once)."},
    {"run", run, METH_VARARGS, "run(stdin, call_fd, wall_seconds, output_limit): fork and judge one test child."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_spawn", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__spawn(void) { return PyModule_Create(&module); }
