/* taskcheck.h: lets a taskcheck scenario compile as a real C program on Linux.
 *
 * taskcheck ignores #include lines and gives these names their modelled
 * meaning; here they map onto the real system calls, so the same file can be
 * built (cc -I scenarios FILE.c -lpthread) and run on a real kernel. The RCU
 * Tasks triggers are kernel-side actions (a tracer detaching, ftrace_shutdown())
 * that user space cannot request directly: they are documented no-ops here;
 * on a real machine, tear down a perf "function" trace event instead.
 *
 * Scenarios may include <sched.h> before this header, without _GNU_SOURCE:
 * unshare() and CLONE_NEWPID are then supplied below.
 */
#ifndef TASKCHECK_H
#define TASKCHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWPID
#define CLONE_NEWPID 0x20000000
#endif
#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif
#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
#ifndef SA_NOCLDWAIT
#define SA_NOCLDWAIT 2
#endif

/* unshare(2) is declared by <sched.h> only under _GNU_SOURCE. */
extern int unshare(int flags);
/* syscall(2) is declared by <unistd.h> only under _DEFAULT_SOURCE. */
extern long syscall(long number, ...);

/* A fork whose child's death sends `sig` to the parent instead of SIGCHLD
 * (0: no signal), as clone(2) with only an exit signal in its flags' low
 * byte, or clone3(2)'s .exit_signal, creates it. No CLONE_VM, no new stack:
 * the child continues on a copy of the parent's stack, like fork(). */
static inline pid_t clone_exit_signal(int sig)
{
	return (pid_t)syscall(SYS_clone, (long)(sig & 0xff), 0L, 0L, 0L, 0L);
}

/* sigaction(SIGCHLD) with SIG_DFL and the given sa_flags (SA_NOCLDWAIT). */
static inline int sigchld_flags(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

/* The model explores every value in 0..n-1; a real run takes the first. */
static inline int nondet(int n)
{
	(void)n;
	return 0;
}

/* Kernel triggers (no-ops in user space): wait for an RCU Tasks grace period
 * as ftrace_shutdown() does, for an RCU Tasks Trace grace period, and replace
 * a tracer's trampoline (install the new one, remove the old one, wait for a
 * grace period, free the old one). */
static inline void synchronize_rcu_tasks(void)
{
}

static inline void synchronize_rcu_tasks_trace(void)
{
}

static inline void trampoline_update(void)
{
}

#endif /* TASKCHECK_H */
