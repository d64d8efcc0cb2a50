/*
 * scaled.pml -- SPIN (Promela) peer model of taskcheck's benchmark family
 * /work/shared/bench/gen_scaled.py NX GEN: the seed deadlock scenario
 * (scenarios/seed_unshare_deadlock.c: main unshares a PID namespace, forks
 * b, its child reaper, and c, then calls synchronize_rcu_tasks()) plus NX
 * helper tasks, forked by main before the unshare, that each fork, exit and
 * reap a child GEN times.
 *
 * Kernel semantics follow taskcheck's models/v6.1/*.kc (exit.kc, tasks.kc,
 * srcutree.kc, pid.kc, pid_namespace.kc) and, with KERNEL_V63 = 1, the patch
 * 28319d6dc5e2 (zap_pid_ns_processes() leaves the tasks_rcu_exit_srcu
 * read-side section around the schedule() of its final loop).
 *
 * Property: pan's invalid end states (compile with -DSAFETY). Only idle
 * waits carry `end` labels (init with no children, rcu_tasks_kthread with no
 * callbacks); every blocking point of the seed cycle is unlabelled.
 *
 *   spin -DNX=2 -DGEN=1 -DKERNEL_V63=0 -a scaled.pml
 *   gcc -O2 -DSAFETY -DBFS -o pan pan.c && ./pan -m100000
 */

#ifndef NX
#define NX 1
#endif
#ifndef GEN
#define GEN 1
#endif
#ifndef KERNEL_V63
#define KERNEL_V63 0
#endif

/* Task slots (the rcu_tasks kthread is not a slot: the scan skips it). */
#define INIT    0                     /* root namespace's init, pid 1  */
#define MAIN    1                     /* the scenario's main: TASK A   */
#define B       2                     /* TASK B: reaper of the new ns  */
#define C       3                     /* TASK C: in the new ns, main's */
#define HELPER(h)   (4 + (h))
#define HCHILD(h,g) (4 + NX + (h) * GEN + (g))
#define N       (4 + NX + NX * GEN)
#define NONE    255
#define ANY     254

/* task state: not forked yet, alive (running do_exit included), zombie,
 * released (EXIT_DEAD, unhashed, pid freed) */
#define UNBORN  0
#define ALIVE   1
#define ZOMBIE  2
#define DEAD    3

#define bit(t)  (1 << (t))

/* struct task_struct, reduced */
byte state[N];
byte parent[N];                /* real_parent */
byte nkids[N];                 /* length of ->children (derived) */
bit  onlist[N];                /* on the task list (for_each_process_thread) */
bit  on_rq[N];                 /* on a runqueue: running, runnable or preempted */
bit  ssleep[N];                /* asleep in schedule(), wake_up_process() wakes it */
bit  ns2[N];                   /* active pid namespace is the unshared one */
bit  sigign[N];                /* SIGCHLD handler is SIG_IGN */
bit  ridx[N];                  /* current->rcu_tasks_idx */
bit  kids_ns2[N];              /* nsproxy->pid_ns_for_children is the new ns */

/* the unshared pid namespace */
bit  ns2_adding;               /* PIDNS_ADDING */
byte ns2_pids;                 /* pid_allocated without the flag */
byte ns2_reaper = NONE;        /* child_reaper */

/* tasks_rcu_exit_srcu: two reader counters and the index */
bit  srcu_idx;
byte srcu_cnt[2];

/* RCU: preemption-disabled regions (the tail of do_exit()) */
int  in_tail;
/* RCU Tasks */
int  holdouts;                 /* t->rcu_tasks_holdout, as a set */
bit  cb_pending;               /* callback queued, waiting for a grace period */
bit  cb_in_gp;                 /* callback covered by the running grace period */
bit  main_done;                /* main's on-stack completion */

/* release_task(): off the task list, pid freed; free_pid() wakes the
 * namespace's reaper when 2 or 1 pids are left. */
inline wake_up_process(t)
{
	if
	:: ssleep[t] -> ssleep[t] = 0; on_rq[t] = 1
	:: else
	fi
}

inline release_task(t)
{
	state[t] = DEAD;
	onlist[t] = 0;
	nkids[parent[t]]--;
	if
	:: ns2[t] ->
		ns2_pids--;
		if
		:: (ns2_pids == 2 || ns2_pids == 1) && ns2_reaper != NONE -> wake_up_process(ns2_reaper)
		:: else
		fi
	:: else
	fi
}

/* schedule() from TASK_(UN)INTERRUPTIBLE: off the runqueue, a voluntary
 * switch (so check_holdout_task() releases a holdout). */
inline sleep_sched(t)
{
	on_rq[t] = 0;
	ssleep[t] = 1;
	holdouts = holdouts & ~bit(t)
}

/* fork() from task p of child t (one step: copy_process() under
 * tasklist_lock, PIDNS_ADDING checked). ok = 0: fork failed with ENOMEM. */
inline fork_task(p, t, ok)
{
	if
	:: kids_ns2[p] && !ns2_adding -> ok = 0
	:: else ->
		ok = 1;
		state[t] = ALIVE;
		parent[t] = p;
		nkids[p]++;
		onlist[t] = 1;
		on_rq[t] = 1;
		ns2[t] = kids_ns2[p];
		kids_ns2[t] = kids_ns2[p];
		if
		:: ns2[t] ->
			ns2_pids++;
			if
			:: ns2_pids == 1 -> ns2_reaper = t
			:: else
			fi
		:: else
		fi
	fi
}

/* do_wait(): ch = a child slot (waitpid(pid)) or ANY (waitpid(-1), wait()).
 * One step per look: reap one zombie child, or return -ECHILD, or sleep in
 * schedule() until __wake_up_parent()/wake_up_process() (on_rq set again),
 * and look again as the first thing when woken. Private computation (the
 * child scan, the caller's loop counter) never makes a state of its
 * own. Uses the caller's locals k, wz, wn. */
inline child_scan(p, ch)
{
	wz = NONE; wn = 0; k = 0;
	do
	:: k < N ->
		if
		:: parent[k] == p && (ch == ANY || k == ch) &&
		   (state[k] == ALIVE || state[k] == ZOMBIE) ->
			wn++;
			if
			:: state[k] == ZOMBIE && wz == NONE -> wz = k
			:: else
			fi
		:: else
		fi;
		k++
	:: else -> break
	od
}

inline do_wait(p, ch)
{
	do
	:: atomic { on_rq[p] ->
		child_scan(p, ch);
		if
		:: wz != NONE -> release_task(wz); k = 0; wz = 0; wn = 0; break
		:: wz == NONE && wn == 0 -> k = 0; wz = 0; wn = 0; break   /* -ECHILD */
		:: else -> sleep_sched(p); k = 0; wz = 0; wn = 0
		fi
	   }
	od
}

/* the same, also advancing the caller's loop counter v on return */
inline do_wait_inc(p, ch, v)
{
	do
	:: atomic { on_rq[p] ->
		child_scan(p, ch);
		if
		:: wz != NONE -> release_task(wz); k = 0; wz = 0; wn = 0; v++; break
		:: wz == NONE && wn == 0 -> k = 0; wz = 0; wn = 0; v++; break   /* -ECHILD */
		:: else -> sleep_sched(p); k = 0; wz = 0; wn = 0
		fi
	   }
	od
}

/* kernel/pid_namespace.c: zap_pid_ns_processes(), in b (the ns's init),
 * after its first step (disable_pid_allocation(), SIGCHLD -> SIG_IGN, the
 * SIGKILL loop), which exit_notify_step() takes. */
inline zap_rest(p)
{
	/* do { rc = kernel_wait4(-1, NULL, __WALL, NULL); } while (rc != -ECHILD); */
	do
	:: atomic { on_rq[p] ->
		child_scan(p, ANY);
		if
		:: wz != NONE -> release_task(wz)                 /* reaped one: again */
		:: wz == NONE && wn == 0 -> k = 0; wz = 0; wn = 0; break   /* -ECHILD */
		:: else -> sleep_sched(p)
		fi;
		k = 0; wz = 0; wn = 0
	   }
	od;
	/* for (;;) { set_current_state(TASK_INTERRUPTIBLE);
	 *   if (pid_allocated == init_pids) break; [stop] schedule(); [start] } */
	do
	:: atomic { on_rq[p] ->
#if KERNEL_V63
		if
		:: slept -> ridx[p] = srcu_idx; srcu_cnt[srcu_idx]++; slept = 0  /* exit_tasks_rcu_start() */
		:: else
		fi;
#endif
		if
		:: ns2_pids == 1 -> break
		:: else ->
#if KERNEL_V63
			srcu_cnt[ridx[p]]--; slept = 1;           /* exit_tasks_rcu_stop() */
#endif
			sleep_sched(p)                             /* woken by free_pid() */
		fi
	   }
	od
}

/* exit_notify() under tasklist_lock, after find_child_reaper(): reparent
 * the children to the namespace's child_reaper (find_new_reaper()), a
 * zombie handed to a SIG_IGN reaper autoreaps (no task of this family
 * exits with children left); become a zombie; do_notify_parent(): autoreap
 * iff the parent ignores SIGCHLD, wake the parent's do_wait() either way. */
inline exit_notify_rest(t)
{
	k = 0;
	do
	:: k < N ->
		if
		:: parent[k] == t && (state[k] == ALIVE || state[k] == ZOMBIE) ->
			nkids[t]--;
			if
			:: ns2[t] -> parent[k] = ns2_reaper
			:: else -> parent[k] = INIT
			fi;
			nkids[parent[k]]++;
			if
			:: state[k] == ZOMBIE && sigign[parent[k]] -> release_task(k)
			:: state[k] == ZOMBIE && !sigign[parent[k]] -> wake_up_process(parent[k])
			:: else
			fi
		:: else
		fi;
		k++
	:: else -> break
	od;
	k = 0;
	state[t] = ZOMBIE;
	if
	:: sigign[parent[t]] -> release_task(t)
	:: else
	fi;
	wake_up_process(parent[t])
}

/* kernel/exit.c: do_exit() (v6.1 order). Its first step,
 * exit_tasks_rcu_start() (__srcu_read_lock(&tasks_rcu_exit_srcu)), is
 * exit_start(t), taken by the caller (so that it can end the caller's loop). */
#define exit_start(t)	ridx[t] = srcu_idx; srcu_cnt[srcu_idx]++

inline do_exit_rest(t)
{
	/* exit_notify() -> forget_original_parent() -> find_child_reaper():
	 * the last thread of a namespace's init tears the namespace down */
	if
	:: atomic { ns2[t] && ns2_reaper == t ->
		/* zap_pid_ns_processes(): disable_pid_allocation(); SIGCHLD ->
		 * SIG_IGN; SIGKILL every other task of the namespace (c: it is
		 * already on its way to _exit(), so the signal changes nothing
		 * and is not recorded) */
		ns2_adding = 0; sigign[t] = 1 }
		zap_rest(t);
		atomic { exit_notify_rest(t) }
	:: atomic { !(ns2[t] && ns2_reaper == t) -> exit_notify_rest(t) }
	fi;
	/* preempt_disable(); exit_rcu(); exit_tasks_rcu_finish():
	 * __srcu_read_unlock() */
	atomic { in_tail = in_tail | bit(t); srcu_cnt[ridx[t]]-- }
	/* do_task_dead(): the final schedule() */
	atomic { in_tail = in_tail & ~bit(t); on_rq[t] = 0; holdouts = holdouts & ~bit(t) }
}

/* b, c and the helpers' children: _exit(0) */
proctype exiter(byte t)
{
	byte k, wz, wn;
	bit slept;
	atomic { exit_start(t) }
	do_exit_rest(t)
}

/* helper(): GEN times { fork(); the child _exit(0)s; waitpid(); } _exit(0) */
proctype helper(byte h)
{
	byte k, wz, wn;
	bit ok, slept;
	byte g = 0;
	do
	:: atomic { g < GEN -> fork_task(HELPER(h), HCHILD(h, g), ok); run exiter(HCHILD(h, g)) }
		do_wait_inc(HELPER(h), HCHILD(h, g), g)
	:: atomic { g == GEN -> g = 0; exit_start(HELPER(h)); break }
	od;
	do_exit_rest(HELPER(h))
}

proctype main_task()
{
	byte k, wz, wn;
	bit ok, slept, c_ok;
	byte i = 0;
	/* pid_t x<i> = fork(); if (x<i> == 0) helper(); */
	do
	:: atomic { i < NX -> fork_task(MAIN, HELPER(i), ok); run helper(i); i++ }
	:: atomic { i == NX -> i = 0;
		/* unshare(CLONE_NEWPID) */
		kids_ns2[MAIN] = 1; ns2_adding = 1; break }
	od;
	/* pid_t b = fork(); if (b == 0) _exit(0); */
	atomic { fork_task(MAIN, B, ok); if :: ok -> run exiter(B) :: else fi; ok = 0 }
	/* pid_t c = fork(); if (c == 0) _exit(0);  (ENOMEM once b zapped) */
	atomic { fork_task(MAIN, C, ok); c_ok = ok; if :: ok -> run exiter(C) :: else fi; ok = 0 }
	/* synchronize_rcu_tasks(): call_rcu_tasks(wakeme_after_rcu) ... */
	cb_pending = 1;
	/* ... wait_for_completion(): TASK_UNINTERRUPTIBLE until complete() */
	if
	:: atomic { main_done -> skip }
	:: atomic { !main_done -> on_rq[MAIN] = 0; holdouts = holdouts & ~bit(MAIN) }
	fi;
	/* waitpid(c, NULL, 0): a failed fork returned -1, so waitpid(-1) */
	if
	:: c_ok -> do_wait(MAIN, C)
	:: !c_ok -> do_wait(MAIN, ANY)
	fi;
	/* waitpid(b, NULL, 0) */
	do_wait(MAIN, B);
	/* waitpid(x<i>, NULL, 0); ... return 0 (exit) */
	do
	:: i < NX -> do_wait_inc(MAIN, HELPER(i), i)
	:: atomic { i == NX -> i = 0; exit_start(MAIN); break }
	od;
	do_exit_rest(MAIN)
}

/* models/v6.1/init.c: for (;;) if (wait(NULL) < 0) init_wait_for_children(); */
proctype initproc()
{
	byte k, wz, wn;
top:
	do
	:: atomic { on_rq[INIT] && nkids[INIT] > 0 ->
		child_scan(INIT, ANY);
		if
		:: wz != NONE -> release_task(wz)
		:: else -> sleep_sched(INIT)
		fi;
		k = 0; wz = 0; wn = 0
	   }
	:: atomic { on_rq[INIT] && nkids[INIT] == 0 ->     /* -ECHILD */
		on_rq[INIT] = 0; holdouts = holdouts & ~bit(INIT); break }
	od;
	/* init_wait_for_children(): an idle daemon wait */
end_idle:
	atomic { nkids[INIT] > 0 -> on_rq[INIT] = 1; goto top }
}

/* kernel/rcu/tasks.h: rcu_tasks_kthread(); one step per visible action */
proctype rcu_tasks_kthread()
{
	int snap;
	byte t;
end_idle:
	do
	:: atomic { cb_pending ->            /* wait_event_daemon(), advance cbs */
		cb_pending = 0; cb_in_gp = 1;
		snap = in_tail }             /* pregp: synchronize_rcu() starts */
		atomic { (snap & in_tail) == 0 ->
			snap = 0;
			/* for_each_process_thread(): rcu_tasks_pertask() */
			t = 0;
			do
			:: t < N ->
				if
				:: onlist[t] && on_rq[t] -> holdouts = holdouts | bit(t)
				:: else
				fi;
				t++
			:: else -> break
			od;
			t = 0
		}
		/* rcu_tasks_postscan(): synchronize_srcu(&tasks_rcu_exit_srcu) */
		atomic { srcu_cnt[1 - srcu_idx] == 0 -> srcu_idx = 1 - srcu_idx }  /* SCAN1, flip */
		srcu_cnt[1 - srcu_idx] == 0;                                        /* SCAN2 */
		/* holdout loop: sleep, check_all_holdout_tasks(); then postgp */
		atomic { holdouts == 0 -> snap = in_tail }
		/* postgp done: invoke the callbacks: complete() wakes main */
		atomic { (snap & in_tail) == 0 ->
			snap = 0;
			if
			:: cb_in_gp -> main_done = 1; on_rq[MAIN] = 1
			:: else
			fi;
			cb_in_gp = 0 }
	od
}

init {
	atomic {
		state[INIT] = ALIVE; onlist[INIT] = 1; on_rq[INIT] = 1; parent[INIT] = NONE;
		state[MAIN] = ALIVE; onlist[MAIN] = 1; on_rq[MAIN] = 1; parent[MAIN] = INIT;
		nkids[INIT] = 1;
		run initproc();
		run rcu_tasks_kthread();
		run main_task()
	}
}
