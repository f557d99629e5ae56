package io.upgradebridge.sample.cluster;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The chat of several nodes through Redis pub/sub. Each room of each chat is a channel,
 * {@code upgrade-bridge-sample:chat:CHAT:ROOM}; a message is {@code NODE-ID SPACE TEXT}, so a node skips what it
 * published itself (its members had it at once).
 *
 * <p>Two threads per node, each with its own connection: the <b>subscriber</b> ({@code PSUBSCRIBE} on every room)
 * delivers the other nodes' messages in the order Redis relays them; the <b>publisher</b> sends this node's messages
 * from one bounded queue, pipelined in batches, so the messages of one sender leave in the order they were sent
 * (Redis keeps the order of one connection's publishes). {@link #publish} never blocks a handler.
 *
 * <p>Losing Redis costs only the messages between nodes: the rooms deliver to their local members themselves.
 * The first failure is logged once (WARNING); while Redis is away this node's messages are dropped (counted) rather
 * than queued without bound; the subscriber reconnects with exponential backoff and jitter (100 ms to 2 s), and
 * logs once (INFO) when it is subscribed again, from when on both directions work again.
 */
public final class RedisChatBroker implements ChatBroker {

    /** The channels of the rooms: this prefix, the chat's name, ':' and the room's name. */
    public static final String CHANNEL_PREFIX = "upgrade-bridge-sample:chat:";
    private static final System.Logger LOG = System.getLogger(RedisChatBroker.class.getName());
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int BATCH = 512;
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int SOCKET_TIMEOUT_MILLIS = 5_000;

    /** Whether the node is subscribed. Transitions by CAS only. */
    enum State {
        /** Started, not subscribed yet. */
        CONNECTING,
        /** Subscribed: messages go both ways. */
        UP,
        /** Redis was lost (or never reached); the subscriber retries. */
        DOWN,
        /** {@link #close()} was called. Terminal. */
        CLOSED
    }

    private final HostAndPort address;
    private final String user;
    private final String password;
    private final String nodeId;
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    /** Incremented at every subscription: the publisher's connection of an earlier one is stale. */
    private final AtomicLong subscriptions = new AtomicLong();
    private final Map<String, BiConsumer<String, String>> deliveries = new ConcurrentHashMap<>();
    private final BlockingQueue<String[]> outgoing = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    /** Messages of this node not sent since the last subscription. */
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean overflowing = new AtomicBoolean();
    private final Thread subscriber;
    private final Thread publisher;
    private volatile Jedis subscriberConnection;

    private RedisChatBroker(HostAndPort address, String user, String password) {
        this.address = address;
        this.user = user;
        this.password = password;
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        this.nodeId = HexFormat.of().formatHex(id);
        this.subscriber = new Thread(this::subscribeLoop, "sample-chat-redis-subscriber-" + nodeId);
        this.publisher = new Thread(this::publishLoop, "sample-chat-redis-publisher-" + nodeId);
        subscriber.setDaemon(true);
        publisher.setDaemon(true);
    }

    /**
     * Starts a broker for the Redis server at {@code address}: {@code redis://host:port},
     * {@code redis://[user]:password@host:port} or {@code host:port} (port 6379 when left out). Returns at once;
     * the broker connects in the background.
     *
     * @throws IllegalArgumentException when {@code address} is none of these
     */
    public static RedisChatBroker start(String address) {
        RedisChatBroker broker = parse(address);
        broker.subscriber.start();
        broker.publisher.start();
        return broker;
    }

    static RedisChatBroker parse(String address) {
        String text = address.trim();
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "redis://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("a Redis address is redis://host:port or host:port, not '" + address + "'", e);
        }
        if (!"redis".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
            || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
            throw new IllegalArgumentException("a Redis address is redis://host:port or host:port, not '" + address + "'");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = parts[0].isEmpty() ? null : URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        return new RedisChatBroker(new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379), user, password);
    }

    /** This node's id in the messages it publishes. */
    public String nodeId() {
        return nodeId;
    }

    State state() {
        return state.get();
    }

    @Override
    public void publish(String chat, String room, String text) {
        if (state.get() == State.CLOSED) {
            return;
        }
        if (!outgoing.offer(new String[] {CHANNEL_PREFIX + chat + ':' + room, nodeId + ' ' + text})) {
            dropped.incrementAndGet();
            if (overflowing.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "chat cluster: " + QUEUE_CAPACITY + " messages wait for Redis at "
                    + address + "; this node's messages are dropped for the other nodes until they have left");
            }
        }
    }

    @Override
    public void subscribe(String chat, BiConsumer<String, String> delivery) {
        deliveries.put(chat, delivery);
    }

    /** Unsubscribes, ends both threads (bounded wait) and closes both connections. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        Jedis connection = subscriberConnection;
        if (connection != null) {
            connection.disconnect(); // the subscriber's blocking read ends with an exception; it sees CLOSED
        }
        subscriber.interrupt();
        publisher.interrupt();
        try {
            subscriber.join(3_000);
            publisher.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Jedis connect() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
            .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS)
            .autoNegotiateProtocol(false) // RESP2, which every Redis speaks and pub/sub needs no more of
            .clientName("upgrade-bridge-sample-" + nodeId);
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        Jedis jedis = new Jedis(address, config.build());
        try {
            jedis.connect();
            return jedis;
        } catch (RuntimeException e) {
            jedis.close();
            throw e;
        }
    }

    private void subscribeLoop() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (state.get() != State.CLOSED) {
            long before = subscriptions.get();
            Jedis jedis = null;
            try {
                jedis = connect();
                subscriberConnection = jedis;
                if (state.get() == State.CLOSED) {
                    break; // race: close() ran before the connection was published to it
                }
                jedis.psubscribe(new Subscription(), CHANNEL_PREFIX + "*"); // until the connection ends
                if (state.get() != State.CLOSED) {
                    down(new IllegalStateException("the subscription ended"));
                }
            } catch (RuntimeException e) {
                down(e);
            } finally {
                subscriberConnection = null;
                if (jedis != null) {
                    jedis.close();
                }
            }
            if (subscriptions.get() != before) {
                backoff = MIN_BACKOFF_MILLIS; // it was up: retry soon
            }
            if (state.get() == State.CLOSED) {
                break;
            }
            try {
                Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
            } catch (InterruptedException e) {
                if (state.get() == State.CLOSED) {
                    break;
                }
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    private void publishLoop() {
        List<String[]> batch = new ArrayList<>(BATCH);
        Jedis jedis = null;
        long jedisSubscription = -1;
        try {
            while (state.get() != State.CLOSED) {
                String[] first;
                try {
                    first = outgoing.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    continue; // close() interrupts: the loop condition tells
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                outgoing.drainTo(batch, BATCH - 1);
                if (outgoing.isEmpty()) {
                    overflowing.set(false);
                }
                long subscription = subscriptions.get();
                if (jedis != null && (state.get() != State.UP || jedisSubscription != subscription)) {
                    jedis.close(); // made before Redis was lost: stale
                    jedis = null;
                }
                if (state.get() != State.UP) {
                    dropped.addAndGet(batch.size());
                    batch.clear();
                    continue;
                }
                try {
                    if (jedis == null) {
                        jedis = connect();
                        jedisSubscription = subscription;
                    }
                    Pipeline pipeline = jedis.pipelined();
                    for (String[] message : batch) {
                        pipeline.publish(message[0], message[1]);
                    }
                    pipeline.sync();
                } catch (RuntimeException e) {
                    dropped.addAndGet(batch.size());
                    if (jedis != null) {
                        jedis.close();
                        jedis = null;
                    }
                    if (down(e)) {
                        Jedis subscribed = subscriberConnection;
                        if (subscribed != null) {
                            subscribed.disconnect(); // so the subscriber reconnects and says when Redis is back
                        }
                    }
                }
                batch.clear();
            }
        } finally {
            if (jedis != null) {
                jedis.close();
            }
        }
    }

    /** Subscribed (again): log it once, count the dropped messages from now on. */
    private void up() {
        State previous = state.get();
        while (previous == State.CONNECTING || previous == State.DOWN) {
            if (state.compareAndSet(previous, State.UP)) {
                subscriptions.incrementAndGet();
                long lost = dropped.getAndSet(0);
                if (previous == State.CONNECTING) {
                    LOG.log(System.Logger.Level.INFO, "chat cluster: node " + nodeId + " subscribed to Redis at " + address
                        + "; chat messages go to and come from the other nodes");
                } else {
                    LOG.log(System.Logger.Level.INFO, "chat cluster: Redis at " + address + " is back, node " + nodeId
                        + " subscribed again (" + lost + " messages of this node did not reach the other nodes while it was away)");
                }
                return;
            }
            previous = state.get();
        }
    }

    /** @return whether this call moved the state to DOWN (and logged it, once per outage) */
    private boolean down(Throwable cause) {
        State previous = state.get();
        while (previous == State.CONNECTING || previous == State.UP) {
            if (state.compareAndSet(previous, State.DOWN)) {
                LOG.log(System.Logger.Level.WARNING, previous == State.UP
                    ? "chat cluster: lost Redis at " + address + " (" + cause + "); the chat goes on on this node only, retrying"
                    : "chat cluster: cannot reach Redis at " + address + " (" + cause + "); the chat stays on this node until it can, retrying");
                return true;
            }
            previous = state.get();
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "chat cluster: Redis at " + address + " still away: " + cause);
        return false;
    }

    @Override
    public String toString() {
        return "RedisChatBroker{" + address + ", node " + nodeId + ", " + state.get() + '}';
    }

    /** The subscription's callbacks, on the subscriber thread. */
    private final class Subscription extends JedisPubSub {

        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            up();
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            int space = message.indexOf(' ');
            if (space < 0 || !channel.startsWith(CHANNEL_PREFIX)
                || (space == nodeId.length() && message.regionMatches(0, nodeId, 0, space))) {
                return; // ours (our members had it at once), or not a message of this sample
            }
            int colon = channel.indexOf(':', CHANNEL_PREFIX.length());
            BiConsumer<String, String> delivery = colon < 0 ? null
                : deliveries.get(channel.substring(CHANNEL_PREFIX.length(), colon));
            if (delivery == null) {
                return;
            }
            try {
                delivery.accept(channel.substring(colon + 1), message.substring(space + 1));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "chat cluster: delivering a message of " + channel + " failed", e);
            }
        }
    }
}
