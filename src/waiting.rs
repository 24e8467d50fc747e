//! Requests that hold their worker while they wait for something (an MCP agent waiting
//! for a person's verdict): how many may do so at once, and the shutdown that wakes
//! them all. Each wait holds one of the server's few worker threads, so the room has
//! fewer seats than there are workers, and the rest of the API keeps answering however
//! many agents wait.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// The seats, and whether the room still takes anyone.
pub struct WaitRoom {
    seats: usize,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    taken: usize,
    closed: bool,
}

/// A seat in the room, given back when dropped.
pub struct Seat<'r> {
    room: &'r WaitRoom,
}

impl WaitRoom {
    /// A room for a server with `workers` worker threads: half of them may wait, at
    /// least one.
    pub fn for_workers(workers: usize) -> Self {
        Self {
            seats: (workers / 2).max(1),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        }
    }

    /// How many may wait at once.
    pub fn seats(&self) -> usize {
        self.seats
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A seat, or `None` when every seat is taken or the server is shutting down.
    pub fn enter(&self) -> Option<Seat<'_>> {
        let mut state = self.state();
        if state.closed || state.taken >= self.seats {
            return None;
        }
        state.taken += 1;
        Some(Seat { room: self })
    }

    /// Ends every wait now and refuses new ones: the server is shutting down and its
    /// workers must finish.
    pub fn close(&self) {
        self.state().closed = true;
        self.wake.notify_all();
    }
}

impl Seat<'_> {
    /// Sleeps for `pause`, or less if the room closes meanwhile; `false` once it has
    /// closed (the wait should end).
    pub fn pause(&self, pause: Duration) -> bool {
        let state = self.room.state();
        if state.closed {
            return false;
        }
        let (state, _) = self
            .room
            .wake
            .wait_timeout_while(state, pause, |state| !state.closed)
            .unwrap_or_else(PoisonError::into_inner);
        !state.closed
    }
}

impl Drop for Seat<'_> {
    fn drop(&mut self) {
        let mut state = self.room.state();
        state.taken = state.taken.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_limited_and_given_back() {
        let room = WaitRoom::for_workers(4);
        assert_eq!(room.seats(), 2);
        let first = room.enter();
        let second = room.enter();
        assert!(first.is_some() && second.is_some());
        assert!(room.enter().is_none(), "every seat is taken");
        drop(first);
        assert!(room.enter().is_some(), "a seat was given back");
        assert_eq!(WaitRoom::for_workers(1).seats(), 1);
    }

    #[test]
    fn closing_ends_every_pause_and_refuses_newcomers() {
        let room = WaitRoom::for_workers(2);
        let seat = room.enter();
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| seat.as_ref().map(|s| s.pause(Duration::from_secs(600))));
            std::thread::sleep(Duration::from_millis(20));
            room.close();
            assert_eq!(waiter.join().ok().flatten(), Some(false));
        });
        assert!(room.enter().is_none());
        assert!(seat.is_some_and(|s| !s.pause(Duration::from_secs(600))));
    }
}
