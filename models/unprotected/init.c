// The root namespace's init (pid 1), a user-space program like tini's or
// systemd's reaping loop: it reaps every child it gets, including the
// orphans reparented to it, for ever.
int init_main(void)
{
	for (;;) {
		if (wait(NULL) < 0)
			init_wait_for_children();
	}
	return 0;
}
