// The exiting task is reaped by init: main forks the updater u and returns
// at once. init (the root namespace's reaper) reaps main as soon as it is a
// zombie, possibly while main is still preempted in the tail of do_exit()
// inside the old trampoline; u, reparented to init by
// forget_original_parent(), goes on with its update. Unprotected RCU Tasks
// misses the released main and u frees the trampoline under it; the SRCU
// section (v6.1, v6.3) and the exit list (v6.9, v6.11) cover it.
//! expect unprotected: trampoline-use-after-free
//! expect v6.1 v6.3 v6.9 v6.11: ok
#include <stddef.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t u = fork();
	if (u == 0) {
		trampoline_update();
		_exit(0);
	}
	return 0;
}
