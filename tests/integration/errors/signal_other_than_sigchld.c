int main(void)
{
	kill(1, SIGUSR1);
	signal(SIGTERM, SIG_IGN);
	return 0;
}
