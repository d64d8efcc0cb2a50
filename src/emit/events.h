/* ---- taskcheck emit-c: event log ------------------------------------------
 * Every call the model gives a meaning to prints one line on stdout, written
 * with one write(2) so that lines of concurrent processes never mix:
 *
 *     tc: WHO CALL = RESULT
 *
 * WHO names the process or thread by how it was created (main, main.1 for
 * main's first child, main.1/t1 for its first thread, ...). Pids are shown
 * as the caller sees them, with the name of the task they stand for where
 * it is known ("= 4711 (main.2)"). Run by hand, an alarm (TC_TIMEOUT seconds
 * from the environment, default 10) ends a run that hangs: main prints
 * "tc: main timeout" and kills the process group.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef TC_TIMEOUT
#define TC_TIMEOUT 10
#endif

struct tc_task {
	char name[48];
	/* NSpid: the pid in each namespace, outermost first. */
	int nspid[8];
	int levels;
};

static struct tc_task *tc_tasks;	/* shared by every process */
static int *tc_ntasks;
static char tc_name[48] = "main";
static __thread char tc_thread_name[48];
static int tc_forks, tc_threads;

static inline const char *tc_who(void)
{
	return tc_thread_name[0] ? tc_thread_name : tc_name;
}

static inline void tc_say(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "tc: %s ", tc_who());
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(1, line, n);
}

/* This process's pids, outermost first, from /proc/self/status (NSpid). */
static inline int tc_nspid(int *out, int max)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY), n = 0;
	ssize_t len;
	char *p;

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = 0;
	p = strstr(buf, "NSpid:");
	if (!p)
		return 0;
	p += 6;
	while (n < max && *p && *p != '\n') {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		out[n++] = (int)v;
		p = end;
	}
	return n;
}

static inline void tc_register(void)
{
	struct tc_task t;
	int i;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%.40s", tc_name);
	t.levels = tc_nspid(t.nspid, 8);
	i = __atomic_fetch_add(tc_ntasks, 1, __ATOMIC_SEQ_CST);
	if (i < 1024)
		tc_tasks[i] = t;
}

/* The name of the task that the caller sees as pid `pid`. */
static inline const char *tc_name_of(int pid)
{
	int me[8], levels = tc_nspid(me, 8), i, n = *tc_ntasks;

	if (pid <= 0 || levels == 0)
		return "?";
	for (i = 0; i < n && i < 1024; i++) {
		struct tc_task *t = &tc_tasks[i];
		/* The caller's namespace is at depth levels-1 from the /proc mount's. */
		if (t->levels >= levels && t->nspid[levels - 1] == pid)
			return t->name;
	}
	return "?";
}

static inline void tc_timeout(int sig)
{
	(void)sig;
	tc_say("timeout after %d s: killing the process group", TC_TIMEOUT);
	kill(0, SIGKILL);
}

/* Under `taskcheck oracle` and `fuzz` (TC_SANDBOX=1), the program runs in
 * a PID namespace of its own, below a small init that reaps every task and
 * ends when the last one has: no signal of the program (kill(-1)
 * included) can leave the namespace, the run ends when all its tasks have,
 * and killing the process group from outside ends everything (the init
 * dies of PR_SET_PDEATHSIG, and the namespace with it). main's status is
 * passed out through `status` and re-created by the outermost process. */
static inline void tc_sandbox(int *status)
{
	struct rlimit no_core = { 0, 0 };
	pid_t init, prog;
	int st = 0;

	if (unshare(CLONE_NEWPID) != 0) {
		perror("tc: unshare(CLONE_NEWPID) for the sandbox");
		_exit(124);
	}
	init = fork();
	if (init < 0)
		_exit(124);
	if (init > 0) {
		/* Outside: wait for the sandbox, then end as main ended. */
		while (waitpid(init, &st, 0) < 0 && errno == EINTR)
			;
		st = *status;
		if (WIFSIGNALED(st)) {
			setrlimit(RLIMIT_CORE, &no_core);
			signal(WTERMSIG(st), SIG_DFL);
			kill(getpid(), WTERMSIG(st));
		}
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 125);
	}
	/* pid 1 of the sandbox. main gets pid 100, as in the model (init 1,
	 * rcu_tasks_kthread 11, main 100), so that its pid numbers cannot
	 * collide with those of a namespace it creates. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	{
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);

		if (fd < 0 || write(fd, "99", 2) != 2) {
			perror("tc: ns_last_pid");
			_exit(124);
		}
		close(fd);
	}
	prog = fork();
	if (prog < 0)
		_exit(124);
	if (prog > 0) {
		for (;;) {
			pid_t r = waitpid(-1, &st, __WALL);

			if (r == prog)
				*status = st;
			if (r < 0 && errno == ECHILD)
				_exit(0);
		}
	}
	/* The program itself: on to main(). */
}

__attribute__((constructor)) static void tc_start(void)
{
	void *m = mmap(NULL, 1024 * sizeof(struct tc_task) + 64, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const char *sandbox = getenv("TC_SANDBOX");
	const char *timeout = getenv("TC_TIMEOUT");

	if (m == MAP_FAILED) {
		perror("tc: mmap");
		_exit(125);
	}
	tc_ntasks = (int *)m;
	tc_tasks = (struct tc_task *)((char *)m + 64);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (sandbox && sandbox[0] == '1') {
		unsetenv("TC_SANDBOX");
		tc_sandbox((int *)((char *)m + 32));
	} else {
		/* A run by hand: a group of its own and an alarm. */
		setpgid(0, 0);
		signal(SIGALRM, tc_timeout);
		alarm(timeout && atoi(timeout) > 0 ? atoi(timeout) : TC_TIMEOUT);
	}
	tc_register();
}

static inline const char *tc_errno(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	default: return "E?";
	}
}

static inline const char *tc_status(int s, char *buf, size_t len)
{
	if (WIFEXITED(s))
		snprintf(buf, len, "exited %d", WEXITSTATUS(s));
	else if (WIFSIGNALED(s))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(s));
	else
		snprintf(buf, len, "status 0x%x", s);
	return buf;
}

static inline pid_t tc_forked(pid_t r, const char *call)
{
	int e = errno;

	if (r == 0) {
		char parent[48];

		snprintf(parent, sizeof(parent), "%.40s", tc_name);
		snprintf(tc_name, sizeof(tc_name), "%.32s.%d", parent, tc_forks);
		tc_forks = 0;
		tc_threads = 0;
		tc_thread_name[0] = 0;
		tc_register();
		tc_say("starts (%s of %s)", call, parent);
	} else if (r > 0) {
		char child[48];

		snprintf(child, sizeof(child), "%.32s.%d", tc_name, tc_forks);
		tc_say("%s = %d (%s)", call, (int)r, child);
	} else {
		tc_say("%s = -1 %s", call, tc_errno(e));
	}
	errno = e;
	return r;
}

static inline pid_t tc_fork(void)
{
	tc_forks++;
	return tc_forked(fork(), "fork()");
}

static inline pid_t tc_clone_exit_signal(int sig)
{
	char call[48];

	tc_forks++;
	snprintf(call, sizeof(call), "clone_exit_signal(%d)", sig);
	return tc_forked(clone_exit_signal(sig), call);
}

static inline pid_t tc_waitpid(pid_t pid, int *status, int options)
{
	int s = 0, e;
	pid_t r = waitpid(pid, &s, options);
	char buf[64];

	e = errno;
	if (r > 0)
		tc_say("waitpid(%d, %#x) = %d (%s) %s", (int)pid, options, (int)r, tc_name_of(r), tc_status(s, buf, sizeof(buf)));
	else if (r == 0)
		tc_say("waitpid(%d, %#x) = 0", (int)pid, options);
	else
		tc_say("waitpid(%d, %#x) = -1 %s", (int)pid, options, tc_errno(e));
	if (status)
		*status = s;
	errno = e;
	return r;
}

static inline pid_t tc_wait(int *status)
{
	return tc_waitpid(-1, status, 0);
}

static inline int tc_kill(pid_t pid, int sig)
{
	int r = kill(pid, sig), e = errno;

	const char *who = pid == -1 ? "every process it may signal" : tc_name_of(pid);

	if (r == 0)
		tc_say("kill(%d (%s), %d) = 0", (int)pid, who, sig);
	else
		tc_say("kill(%d (%s), %d) = -1 %s", (int)pid, who, sig, tc_errno(e));
	errno = e;
	return r;
}

static inline pid_t tc_getpid(void)
{
	pid_t r = getpid();

	tc_say("getpid() = %d", (int)r);
	return r;
}

static inline pid_t tc_getppid(void)
{
	pid_t r = getppid();

	tc_say("getppid() = %d (%s)", (int)r, tc_name_of(r));
	return r;
}

static inline int tc_unshare(int flags)
{
	int r = unshare(flags), e = errno;

	if (r == 0)
		tc_say("unshare(%#x) = 0", flags);
	else
		tc_say("unshare(%#x) = -1 %s", flags, tc_errno(e));
	errno = e;
	return r;
}

/* prctl()'s options past the second are 0 for what scenarios use. */
static inline int tc_prctl(int option, int arg, ...)
{
	int r = prctl(option, arg, 0, 0, 0), e = errno;

	tc_say("prctl(%d, %d) = %d", option, arg, r);
	errno = e;
	return r;
}

static inline void (*tc_signal(int sig, void (*handler)(int)))(int)
{
	void (*old)(int) = signal(sig, handler);

	tc_say("signal(%d, %s) = %s", sig,
	       handler == SIG_IGN ? "SIG_IGN" : handler == SIG_DFL ? "SIG_DFL" : "a handler",
	       old == SIG_IGN ? "SIG_IGN" : old == SIG_DFL ? "SIG_DFL" : old == SIG_ERR ? "SIG_ERR" : "a handler");
	return old;
}

static inline int tc_sigchld_flags(int flags)
{
	int r = sigchld_flags(flags);

	tc_say("sigchld_flags(%#x) = %d", flags, r);
	return r;
}

static inline void tc_exit_event(const char *call, int code)
{
	tc_say("%s(%d)", call, code);
}

/* Functions, not macros: `_exit(f())` must call f() once. */
static inline __attribute__((noreturn)) void tc__exit(int code)
{
	tc_exit_event("_exit", code);
	_exit(code);
}

static inline __attribute__((noreturn)) void tc_exit(int code)
{
	tc_exit_event("exit", code);
	exit(code);
}

struct tc_thread_start {
	void *(*fn)(void *);
	void *arg;
	char name[48];
};

static inline void *tc_thread_main(void *p)
{
	struct tc_thread_start s = *(struct tc_thread_start *)p;

	free(p);
	snprintf(tc_thread_name, sizeof(tc_thread_name), "%.40s", s.name);
	tc_say("starts (pthread_create)");
	return s.fn(s.arg);
}

static inline int tc_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct tc_thread_start *s = malloc(sizeof(*s));
	int r;

	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	snprintf(s->name, sizeof(s->name), "%.32s/t%d", tc_name, ++tc_threads);
	r = pthread_create(t, attr, tc_thread_main, s);
	tc_say("pthread_create() = %d (%s)", r, s->name);
	return r;
}

static inline int tc_pthread_join(pthread_t t, void **ret)
{
	int r = pthread_join(t, ret);

	tc_say("pthread_join() = %d", r);
	return r;
}

/* What the program prints itself: one `out:` event per line. */
static inline int tc_printf(const char *fmt, ...)
{
	char buf[400];
	char *line, *next;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		tc_say("out: %s", line);
	}
	return n;
}

static inline void tc_rcu_trigger(const char *what)
{
	tc_say("%s(): no-op in user space (a real trigger: tear down a perf \"function\" trace event)", what);
}

#define printf(...) tc_printf(__VA_ARGS__)
#define fork() tc_fork()
#define clone_exit_signal(sig) tc_clone_exit_signal(sig)
#define waitpid(p, s, o) tc_waitpid(p, s, o)
#define wait(s) tc_wait(s)
#define kill(p, s) tc_kill(p, s)
#define getpid() tc_getpid()
#define getppid() tc_getppid()
#define unshare(f) tc_unshare(f)
#define prctl(o, ...) tc_prctl(o, __VA_ARGS__)
#define signal(s, h) tc_signal(s, h)
#define sigchld_flags(f) tc_sigchld_flags(f)
#define _exit(c) tc__exit(c)
#define exit(c) tc_exit(c)
#define pthread_create(t, a, f, p) tc_pthread_create(t, a, f, p)
#define pthread_join(t, r) tc_pthread_join(t, r)
#define synchronize_rcu_tasks() tc_rcu_trigger("synchronize_rcu_tasks")
#define synchronize_rcu_tasks_trace() tc_rcu_trigger("synchronize_rcu_tasks_trace")
#define trampoline_update() tc_rcu_trigger("trampoline_update")
/* ---- end of the event log ---------------------------------------------- */
