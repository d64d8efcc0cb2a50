// The seed scenario as the original reproducer (syzkaller log
// 221115_105658_synchronize_rcu) creates its tasks: B with exit_signal 39
// and C with exit_signal 0, so main must reap them with __WALL. The exit
// signal changes nothing in the cycle: b still waits in
// zap_pid_ns_processes() (step 6) for c's pid inside tasks_rcu_exit_srcu,
// c (whose death signals nobody and never autoreaps) waits for main, main
// waits in synchronize_rcu_tasks(). Deadlock on v6.1 only. Elsewhere, once
// b's death is notified, its exit signal 39 (default action: terminate)
// kills main, so main's last waitpid() never returns to user space.
//! expect v6.1: deadlock main b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = clone_exit_signal(39);
	if (b == 0)
		_exit(0);
	pid_t c = clone_exit_signal(0);
	if (c == 0)
		_exit(0);
	synchronize_rcu_tasks();
	if (c > 0)
		assert(waitpid(c, NULL, __WALL) == c);
	waitpid(b, NULL, __WALL);
	return 0;
}
