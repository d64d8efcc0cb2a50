// A holdout that stays on the runqueue without a voluntary switch holds up
// an RCU Tasks grace period until it returns to user mode. In the model a
// task in nanosleep() is such a holdout for its whole sleep (the search has
// no time, so schedule_timeout_idle() is a point where others run, not a
// switch); the kernel would count the sleep as a quiescent state. Here it
// only drives the stall warnings with short timeouts.
//! expect v6.1: ok
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t p = fork();
	if (p == 0) {
		sleep(1);
		_exit(0);
	}
	synchronize_rcu_tasks();
	waitpid(p, NULL, 0);
	return 0;
}
