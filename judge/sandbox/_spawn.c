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
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
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

enum { STATUS_FD = 3, CALL_FD = 4, CODE_FD = 5 };
/* The most of a child's stderr tail and status note a result carries: protocol.STDERR_TAIL and
 * STATUS_NOTE, which the referee enforces. */
enum { STDERR_TAIL = 2048, STATUS_NOTE = 4096 };

static struct {
    int configured;
    int stdin_fd, stdout_fd, stderr_fd, status_fd, scope_fd, code_fd;
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
    if (!PyArg_ParseTuple(args, "iiiiiisKKKLpiy*", &cfg.stdin_fd, &cfg.stdout_fd, &cfg.stderr_fd,
                          &cfg.status_fd, &cfg.code_fd, &cfg.scope_fd, &scratch, &cpu_soft, &cpu_hard, &fsize,
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
    /* the program's code (sealed: read-only to everyone); the harness closes it before the program runs */
    if ((call_fd >= 0 && dup2((int)call_fd, CALL_FD) < 0) || dup2(cfg.code_fd, CODE_FD) < 0)
        fail("dup2");
    if (cfg.scope_fd >= 0 && syscall(SYS_landlock_restrict_self, cfg.scope_fd, 0) != 0)
        fail("landlock_restrict_self");
    if (syscall(SYS_close_range, CODE_FD + 1, ~0U, 0) != 0)
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

/* How a test child ended. */
struct ended {
    int exited, exit_code, signal, watchdog, clean;
    double cpu, wall;
    long maxrss_kb;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Fork one test child (stdin already in its memfd).  Returns 0 in the child, once it is set
 * up; 1 in the zygote once the child has ended (*out filled); -1 with errno on failure. */
static int spawn_test(long call_fd, double wall_limit, struct ended *out) {
    if (reset(cfg.stdout_fd) || reset(cfg.stderr_fd) || reset(cfg.status_fd))
        return -1;
    double start = now();
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        setup_child(call_fd);
        return 0;
    }
    int saved = errno;
    PyOS_AfterFork_Parent();
    if (pid < 0) {
        errno = saved;
        return -1;
    }
    int status = 0;
    struct rusage usage;
    out->watchdog = 0;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        struct pollfd pfd = {pidfd, POLLIN, 0};
        double deadline = start + wall_limit;
        for (;;) {
            int left = (int)((deadline - now()) * 1000.0) + 1;
            int ready = left > 0 ? poll(&pfd, 1, left) : 0;
            if (ready > 0)
                break;
            if ((ready < 0 && errno == EINTR) || (ready == 0 && now() < deadline))
                continue;
            out->watchdog = 1;
            kill(pid, SIGKILL);
            break;
        }
        close(pidfd);
    }
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR)
            return -1;
    }
    out->wall = now() - start;
    out->exited = WIFEXITED(status);
    out->exit_code = out->exited ? WEXITSTATUS(status) : 0;
    out->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    out->clean = out->exited && out->exit_code == 0;
    out->cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec
               + usage.ru_stime.tv_usec * 1e-6;
    out->maxrss_kb = usage.ru_maxrss;
    return 1;
}

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

/* The size of a memfd and the span [from, from + len) to hand back: its first `limit` bytes
 * or (tail) its last. */
static int span(int fd, long long limit, int tail, long long *size, long long *from, long long *len) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    *size = (long long)st.st_size;
    *len = st.st_size < limit ? (long long)st.st_size : limit;
    *from = tail ? st.st_size - *len : 0;
    return 0;
}

static PyObject *read_span(int fd, long long from, long long len) {
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
    if (bytes == NULL)
        return NULL;
    long long got = 0;
    while (got < len) {
        ssize_t n = pread(fd, PyBytes_AS_STRING(bytes) + got, (size_t)(len - got), from + got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    if (got < len && _PyBytes_Resize(&bytes, (Py_ssize_t)got) != 0)
        return NULL;
    return bytes;
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
    long long output_limit;
    if (!PyArg_ParseTuple(args, "y*idL", &input, &call_fd, &wall_limit, &output_limit))
        return NULL;
    if (!cfg.configured) {
        PyBuffer_Release(&input);
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    int failed = write_at_start(cfg.stdin_fd, input.buf, input.len);
    PyBuffer_Release(&input);
    struct ended e;
    int where = failed ? -1 : spawn_test(call_fd, wall_limit, &e);
    if (where < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (where == 0)
        Py_RETURN_NONE;
    long long stdout_size, from, len, err_from = 0, err_len = 0, note_len = 0, ignored;
    if (span(cfg.stdout_fd, output_limit, 0, &stdout_size, &from, &len)
        || (!e.clean && (span(cfg.stderr_fd, STDERR_TAIL, 1, &ignored, &err_from, &err_len)
                         || span(cfg.status_fd, STATUS_NOTE, 0, &ignored, &ignored, &note_len))))
        return PyErr_SetFromErrno(PyExc_OSError);
    PyObject *out = read_span(cfg.stdout_fd, from, len);
    PyObject *err = read_span(cfg.stderr_fd, err_from, err_len);
    PyObject *note = read_span(cfg.status_fd, 0, note_len);
    if (out == NULL || err == NULL || note == NULL) {
        Py_XDECREF(out);
        Py_XDECREF(err);
        Py_XDECREF(note);
        return NULL;
    }
    PyObject *exit_code = e.exited ? PyLong_FromLong(e.exit_code) : Py_NewRef(Py_None);
    PyObject *signal_number = e.signal ? PyLong_FromLong(e.signal) : Py_NewRef(Py_None);
    return Py_BuildValue("(NNddlONLNN)", exit_code, signal_number, e.cpu, e.wall, e.maxrss_kb,
                         e.watchdog ? Py_True : Py_False, out, stdout_size, err, note);
}

/* ---- serve(): the zygote's loop over test frames ------------------------------------------ */

static int read_full(int fd, void *buf, size_t size) {
    for (size_t got = 0; got < size;) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static int send_full(int fd, const void *buf, size_t size) {
    for (size_t sent = 0; sent < size;) {
        ssize_t n = send(fd, (const char *)buf + sent, size - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        sent += (size_t)n;
    }
    return 0;
}

/* Copy `len` bytes of a memfd from `from` to the socket, without passing through user space. */
static int send_span(int sock, int fd, long long from, long long len) {
    off_t offset = (off_t)from;
    while (len > 0) {
        ssize_t n = sendfile(sock, fd, &offset, (size_t)len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len -= n;
    }
    return 0;
}

/* Move `size` bytes from the socket into a memfd (a test's stdin, or a program's code): 0, -1
 * (errno set) or -2 (the socket closed).  The buffer they pass through is zeroed after a code:
 * it must leave no trace in the zygote's memory that a later program could scan for. */
static int receive_into(int sock, int fd, uint32_t size, int wipe) {
    static char chunk[1 << 16];
    int result = ftruncate(fd, 0) == 0 ? 0 : -1;
    off_t at = 0;
    size_t used = 0; /* what the wipe must cover: all of the chunk, every page of it made private
                        again after each fork (~40 us), for a code of a few hundred bytes */
    while (result == 0 && size > 0) {
        size_t want = size < sizeof chunk ? size : sizeof chunk;
        if (want > used)
            used = want;
        if (read_full(sock, chunk, want) != 0) {
            result = -2;
            break;
        }
        for (size_t done = 0; done < want && result == 0;) {
            ssize_t n = pwrite(fd, chunk + done, want - done, at + (off_t)done);
            if (n < 0 && errno != EINTR)
                result = -1;
            else if (n > 0)
                done += (size_t)n;
        }
        at += (off_t)want;
        size -= (uint32_t)want;
    }
    if (wipe)
        memset(chunk, 0, used);
    if (result == 0 && lseek(fd, 0, SEEK_SET) != 0)
        result = -1;
    return result;
}

/* The loaded program: the referee's request its children run it by (JSON: its mode, and for
 * function calls the function's name), and its code in the memfd at cfg.code_fd. */
static char program_request[1 << 16];
static uint32_t program_len; /* 0: none loaded */

/* A load frame, after its kind byte: !II (request length, code length), the request, the code.
 * The code goes into a new sealed memfd that takes the previous one's descriptor number.
 * 0, -1 (errno set) or -2 (the socket closed); on failure no program is loaded.  Done here, not
 * in Python: a load handled in Python wrote ~110 pages of the zygote, each a fault after the
 * fork before it. */
static int load_program(int sock) {
    uint32_t sizes[2];
    program_len = 0;
    if (read_full(sock, sizes, 8) != 0)
        return -2;
    uint32_t request_len = ntohl(sizes[0]), code_len = ntohl(sizes[1]);
    if (request_len == 0 || request_len > sizeof program_request) {
        errno = EMSGSIZE;
        return -1;
    }
    if (read_full(sock, program_request, request_len) != 0)
        return -2;
    int fd = memfd_create("judge-code", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    int moved = dup3(fd, cfg.code_fd, O_CLOEXEC);
    int saved = errno;
    close(fd);
    if (moved < 0) {
        errno = saved;
        return -1;
    }
    int got = receive_into(sock, cfg.code_fd, code_len, 1);
    if (got != 0)
        return got;
    if (fcntl(cfg.code_fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
        return -1;
    program_len = request_len;
    return 0;
}

/* program(): the loaded program's request (bytes), or None. */
static PyObject *program(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    if (program_len == 0)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(program_request, program_len);
}

/* Empty the scratch directory, however deep the tree a program left there.
 *
 * Path-based walks (nftw, and recursive ones) stop at PATH_MAX or at a recursion limit, and a
 * program can build a deeper tree within its CPU time.  This walk holds one directory open at
 * a time: it goes down into the first subdirectory that is not empty, and back up through ".."
 * once a directory is empty.  Returns 0 when the directory is empty, -1 when something in it
 * could not be removed. */
static int clean_dir(const char *root) {
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long depth = 0;
    for (;;) {
        int listing = dup(fd);
        DIR *dir = listing >= 0 ? fdopendir(listing) : NULL;
        if (dir == NULL) {
            if (listing >= 0)
                close(listing);
            close(fd);
            return -1;
        }
        int below = -1, stuck = 0;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            const char *name = entry->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            if (unlinkat(fd, name, 0) == 0 || unlinkat(fd, name, AT_REMOVEDIR) == 0)
                continue;
            struct stat st;
            if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
                /* a directory its program made unreadable: no process of that program is left
                 * to swap it for a link between the check and the change */
                fchmodat(fd, name, 0700, 0);
                below = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (below >= 0)
                    break;
            }
            stuck = 1;
        }
        closedir(dir);
        if (below >= 0) {
            close(fd);
            fd = below;
            depth++;
            continue;
        }
        if (stuck || depth == 0) {
            close(fd);
            return stuck ? -1 : 0;
        }
        int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        if (up < 0)
            return -1;
        fd = up;
        depth--;
    }
}

static PyObject *clean(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    int result = clean_dir(PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return PyBool_FromLong(result == 0);
}

static void put32(unsigned char **at, uint32_t v) {
    v = htonl(v);
    memcpy(*at, &v, 4);
    *at += 4;
}

static void put64(unsigned char **at, uint64_t v) {
    put32(at, (uint32_t)(v >> 32));
    put32(at, (uint32_t)v);
}

static void put_double(unsigned char **at, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put64(at, bits);
}

/* serve(sock_fd, wall_seconds, output_limit): answer load and test frames until another frame.
 *
 * A load frame (b"L", see load_program) makes a program the current one, unanswered.  A test
 * frame is b"T" + !II (sequence number, stdin length) + stdin; it runs the loaded program (stdio) in a new
 * child and is answered with a result frame (see judge/sandbox/protocol.py).  Returns None in a
 * test child, once it is set up (the caller runs the program); in the zygote, the kind byte of
 * any other frame (the caller reads the rest of it), or b"" when the zygote must end: the
 * referee closed the socket, a load failed, or a test left files that could not be removed.
 */
static PyObject *serve(PyObject *self, PyObject *args) {
    (void)self;
    int sock;
    double wall_limit;
    long long output_limit;
    if (!PyArg_ParseTuple(args, "idL", &sock, &wall_limit, &output_limit))
        return NULL;
    if (!cfg.configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    for (;;) {
        unsigned char kind;
        if (read_full(sock, &kind, 1) != 0)
            return PyBytes_FromStringAndSize(NULL, 0);
        if (kind == 'L') {
            if (load_program(sock) != 0) /* the channel or the memfd failed: this zygote ends */
                return PyBytes_FromStringAndSize(NULL, 0);
            continue;
        }
        if (kind != 'T')
            return PyBytes_FromStringAndSize((const char *)&kind, 1);
        uint32_t seq_size[2];
        if (read_full(sock, seq_size, 8) != 0)
            return PyBytes_FromStringAndSize(NULL, 0);
        uint32_t seq = ntohl(seq_size[0]);
        int got = receive_into(sock, cfg.stdin_fd, ntohl(seq_size[1]), 0);
        if (got == -2)
            return PyBytes_FromStringAndSize(NULL, 0);
        struct ended e = {0};
        if (got == 0 && program_len == 0) {
            errno = ENOEXEC;
            got = -1;
        }
        int where = got < 0 ? -1 : spawn_test(-1, wall_limit, &e);
        if (where == 0)
            Py_RETURN_NONE;
        long long stdout_size = 0, from = 0, len = 0, err_from = 0, err_len = 0, note_len = 0, ignored;
        char note[160];
        int note_inline = 0, dirty = 0;
        if (where < 0) { /* an internal error, reported as a failed set-up */
            note_inline = snprintf(note, sizeof note,
                                   "{\"phase\":\"setup\",\"exc\":\"OSError\",\"msg\":\"zygote: %s\",\"exit\":125}",
                                   strerror(errno));
            e.exited = 1;
            e.exit_code = 125;
            note_len = note_inline;
        } else {
            if (span(cfg.stdout_fd, output_limit, 0, &stdout_size, &from, &len)
                || (!e.clean && (span(cfg.stderr_fd, STDERR_TAIL, 1, &ignored, &err_from, &err_len)
                                 || span(cfg.status_fd, STATUS_NOTE, 0, &ignored, &ignored, &note_len))))
                return PyErr_SetFromErrno(PyExc_OSError);
            dirty = clean_dir(cfg.scratch) != 0;
        }
        /* b"R" then !IiiddqBQIII: the test frame's sequence number, exit (-1: none), signal (0:
         * none), CPU and wall seconds, peak RSS in KiB, watchdog, stdout size, lengths of the
         * stdout, stderr-tail and status blobs. */
        unsigned char head[1 + 4 + 4 + 4 + 8 + 8 + 8 + 1 + 8 + 4 + 4 + 4], *at = head;
        *at++ = 'R';
        put32(&at, seq);
        put32(&at, (uint32_t)(e.exited ? e.exit_code : -1));
        put32(&at, (uint32_t)e.signal);
        put_double(&at, e.cpu);
        put_double(&at, e.wall);
        put64(&at, (uint64_t)e.maxrss_kb);
        *at++ = (unsigned char)e.watchdog;
        put64(&at, (uint64_t)stdout_size);
        put32(&at, (uint32_t)len);
        put32(&at, (uint32_t)err_len);
        put32(&at, (uint32_t)note_len);
        if (send_full(sock, head, sizeof head) != 0 || send_span(sock, cfg.stdout_fd, from, len) != 0
            || send_span(sock, cfg.stderr_fd, err_from, err_len) != 0
            || (note_inline ? send_full(sock, note, (size_t)note_len)
                            : send_span(sock, cfg.status_fd, 0, note_len)) != 0)
            return PyBytes_FromStringAndSize(NULL, 0);
        if (dirty) /* the next test would find this one's files: end this zygote instead */
            return PyBytes_FromStringAndSize(NULL, 0);
    }
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(stdin, stdout, stderr, status, code, scope_fd, scratch, cpu_soft, cpu_hard, fsize, "
     "uid, keep_dac_read, zygote_pid, filter): store what every child sets up (in the zygote, once)."},
    {"run", run, METH_VARARGS, "run(stdin, call_fd, wall_seconds, output_limit): fork and wait for one test child."},
    {"serve", serve, METH_VARARGS, "serve(sock_fd, wall_seconds, output_limit): answer load and test frames."},
    {"program", program, METH_NOARGS, "program(): the loaded program's request (JSON bytes), or None."},
    {"clean", clean, METH_O, "clean(directory): empty it, however deep; True when it is empty."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_spawn", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__spawn(void) { return PyModule_Create(&module); }
