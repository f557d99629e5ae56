package io.upgradebridge.sample.cluster;

import io.upgradebridge.sample.SampleSettings;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Starts the chat's {@link ChatBroker} when the application starts and stops it when it stops: a
 * {@link RedisChatBroker} when {@link SampleSettings#CHAT_REDIS} names a Redis server (the chat of several nodes),
 * else {@link ChatBroker#LOCAL} (the chat of this node). Declared in the web.xml WAR's {@code web.xml}, found by
 * {@code @WebListener} in the annotations WAR.
 *
 * <p>The rooms find the broker with {@link #broker()}: a static field, which is one per deployment because each web
 * application loads this class with its own class loader (the {@code @WebSocketEndpoint} chat is created by the
 * WebSockets feature and has no other way to the application's state).
 */
@WebListener
public class ChatCluster implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger(ChatCluster.class.getName());
    private static volatile ChatBroker broker = ChatBroker.LOCAL;

    /** The broker of this web application: {@link ChatBroker#LOCAL} unless the chat is a cluster's. */
    public static ChatBroker broker() {
        return broker;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String redis = SampleSettings.of(event.getServletContext()).chatRedis();
        if (redis == null) {
            return;
        }
        RedisChatBroker started = RedisChatBroker.start(redis);
        broker = started;
        LOG.log(System.Logger.Level.INFO, "chat cluster: " + started + " (" + SampleSettings.CHAT_REDIS + ")");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ChatBroker stopping = broker;
        broker = ChatBroker.LOCAL;
        stopping.close();
    }
}
