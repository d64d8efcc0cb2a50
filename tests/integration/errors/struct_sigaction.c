// SA_NOCLDWAIT set the usual way, through struct sigaction: no structs here.
#include <signal.h>
#include "taskcheck.h"

int main(void)
{
	struct sigaction sa;
	sa.sa_flags = SA_NOCLDWAIT;
	return 0;
}
