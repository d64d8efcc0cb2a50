int main(void)
{
again:
	goto again;
}
