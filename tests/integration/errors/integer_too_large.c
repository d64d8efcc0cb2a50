// An integer the model cannot tell from a pid number or a kernel handle.
#include "taskcheck.h"

int main(void)
{
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	assert(b != 0xB0000000067L);
	return 0;
}
