package io.upgradebridge.benchmarks.load;

/** The send times of one connection's messages in flight, oldest first: echoes come back in order. */
final class SendTimes {

    private final long[] times;
    private int head;
    private int size;

    SendTimes(int capacity) {
        times = new long[capacity];
    }

    boolean full() {
        return size == times.length;
    }

    int size() {
        return size;
    }

    void push(long nanos) {
        times[(head + size) % times.length] = nanos;
        size++;
    }

    /** The oldest send time, removed; -1 when nothing is in flight (an echo nobody asked for). */
    long pop() {
        if (size == 0) {
            return -1;
        }
        long oldest = times[head];
        head = (head + 1) % times.length;
        size--;
        return oldest;
    }
}
