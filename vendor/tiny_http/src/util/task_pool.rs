use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// Manages a collection of threads.
///
/// A new thread is created every time all the existing threads are full.
/// Any idle thread will automatically die after a few seconds.
pub struct TaskPool {
    sharing: Arc<Sharing>,
}

struct Sharing {
    // list of the tasks to be done by worker threads
    todo: Mutex<VecDeque<Box<dyn FnMut() + Send>>>,

    // condvar that will be notified whenever a task is added to `todo`
    condvar: Condvar,

    // number of total worker threads running
    active_tasks: AtomicUsize,

    // number of idle worker threads
    waiting_tasks: AtomicUsize,
}

/// Minimum number of active threads.
static MIN_THREADS: usize = 4;

struct Registration<'a> {
    nb: &'a AtomicUsize,
}

impl<'a> Registration<'a> {
    fn new(nb: &'a AtomicUsize) -> Registration<'a> {
        nb.fetch_add(1, Ordering::Release);
        Registration { nb }
    }
}

impl<'a> Drop for Registration<'a> {
    fn drop(&mut self) {
        self.nb.fetch_sub(1, Ordering::Release);
    }
}

impl TaskPool {
    pub fn new() -> TaskPool {
        let pool = TaskPool {
            sharing: Arc::new(Sharing {
                todo: Mutex::new(VecDeque::new()),
                condvar: Condvar::new(),
                active_tasks: AtomicUsize::new(0),
                waiting_tasks: AtomicUsize::new(0),
            }),
        };

        for _ in 0..MIN_THREADS {
            pool.add_thread(None)
        }

        pool
    }

    /// Executes a function in a thread.
    /// If no thread is available, spawns a new one.
    ///
    /// (Loop patch) A thread woken for a queued task counts as waiting until it takes
    /// that task, so the threads free for this one are the waiting ones beyond the tasks
    /// already queued. Upstream queued a task whenever any thread was waiting, and a
    /// burst of connections could wait behind connections that held every thread.
    pub fn spawn(&self, code: Box<dyn FnMut() + Send>) {
        let mut queue = self.sharing.todo.lock().unwrap();

        if self.sharing.waiting_tasks.load(Ordering::Acquire) > queue.len() {
            queue.push_back(code);
            self.sharing.condvar.notify_one();
        } else {
            self.add_thread(Some(code));
        }
    }

    fn add_thread(&self, initial_fn: Option<Box<dyn FnMut() + Send>>) {
        let sharing = self.sharing.clone();

        thread::spawn(move || {
            let sharing = sharing;
            let _active_guard = Registration::new(&sharing.active_tasks);

            if let Some(mut f) = initial_fn {
                f();
            }

            loop {
                let mut task: Box<dyn FnMut() + Send> = {
                    let mut todo = sharing.todo.lock().unwrap();

                    let task;
                    loop {
                        if let Some(poped_task) = todo.pop_front() {
                            task = poped_task;
                            break;
                        }
                        let _waiting_guard = Registration::new(&sharing.waiting_tasks);

                        let received =
                            if sharing.active_tasks.load(Ordering::Acquire) <= MIN_THREADS {
                                todo = sharing.condvar.wait(todo).unwrap();
                                true
                            } else {
                                let (new_lock, waitres) = sharing
                                    .condvar
                                    .wait_timeout(todo, Duration::from_millis(5000))
                                    .unwrap();
                                todo = new_lock;
                                !waitres.timed_out()
                            };

                        if !received && todo.is_empty() {
                            return;
                        }
                    }

                    task
                };

                task();
            }
        });
    }
}

impl Drop for TaskPool {
    fn drop(&mut self) {
        self.sharing
            .active_tasks
            .store(999_999_999, Ordering::Release);
        self.sharing.condvar.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    /// A liveness bound, not a speed target: a task that has not started by then never will.
    const START_WITHIN: Duration = Duration::from_secs(10);

    /// A gate the tasks wait at until the test opens it.
    type Gate = Arc<(Mutex<bool>, Condvar)>;

    fn wait_at(gate: &Gate) {
        let (open, opened) = &**gate;
        let mut open = open.lock().unwrap();
        while !*open {
            open = opened.wait(open).unwrap();
        }
    }

    fn open(gate: &Gate) {
        let (open, opened) = &**gate;
        *open.lock().unwrap() = true;
        opened.notify_all();
    }

    /// A new pool whose threads are all waiting for work.
    fn idle_pool() -> TaskPool {
        let pool = TaskPool::new();
        let deadline = Instant::now() + START_WITHIN;
        while pool.sharing.waiting_tasks.load(Ordering::Acquire) < MIN_THREADS {
            assert!(
                Instant::now() < deadline,
                "the pool's threads never became idle"
            );
            thread::sleep(Duration::from_millis(1));
        }
        pool
    }

    /// Tasks that run for long (a kept-alive connection waiting for its next request)
    /// must not leave a task spawned after them waiting in the queue. Handed over in a
    /// burst, the first tasks wake idle threads that still count as waiting until they
    /// take their task; upstream then queued the later ones behind them instead of
    /// starting a thread, and with every thread held they never started.
    #[test]
    fn every_task_starts_while_the_earlier_ones_still_run() {
        for _ in 0..20 {
            let pool = idle_pool();
            let gate: Gate = Arc::new((Mutex::new(false), Condvar::new()));
            let (started, starts) = mpsc::channel();
            let tasks = MIN_THREADS + 2;
            for task in 0..tasks {
                let started = started.clone();
                let gate = gate.clone();
                pool.spawn(Box::new(move || {
                    started.send(task).unwrap();
                    wait_at(&gate);
                }));
            }
            let mut begun = Vec::new();
            for _ in 0..tasks {
                match starts.recv_timeout(START_WITHIN) {
                    Ok(task) => begun.push(task),
                    Err(_) => {
                        open(&gate);
                        panic!(
                            "only tasks {:?} of {} started: the others were queued \
                             behind tasks that still hold every thread",
                            begun, tasks
                        );
                    }
                }
            }
            open(&gate);
        }
    }

    /// Idle threads are reused rather than joined by new ones: a task handed to a pool
    /// with free threads is run by one of them.
    #[test]
    fn idle_threads_take_new_tasks_before_new_threads_start() {
        let pool = idle_pool();
        let (done, dones) = mpsc::channel();
        for round in 0..50 {
            let done = done.clone();
            pool.spawn(Box::new(move || done.send(round).unwrap()));
            assert_eq!(dones.recv_timeout(START_WITHIN), Ok(round));
        }
        let threads = pool.sharing.active_tasks.load(Ordering::Acquire);
        assert!(
            threads <= MIN_THREADS + 1,
            "{} threads for one task at a time",
            threads
        );
    }
}
