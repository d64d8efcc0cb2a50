int main(void)
{
	pid_t b = fork()
	return 0;
}
