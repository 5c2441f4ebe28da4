package io.floe.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Free local ports for a broker's listeners. A probed port may be taken by someone else before
 * Kafka binds it; {@link #isBindFailure(Throwable)} recognises that failure so the start can be
 * retried on new ports.
 */
final class FreePorts {
    private FreePorts() {
    }

    /** A port on {@link BrokerProperties#HOST} that was free just now and is none of {@code avoid}. */
    static int pick(int... avoid) {
        String host = BrokerProperties.HOST;
        for (int i = 0; i < 10; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                int p = s.getLocalPort();
                boolean clash = false;
                for (int a : avoid) {
                    clash |= a == p;
                }
                if (!clash) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + host, e);
            }
        }
        throw new IllegalStateException("cannot find a free port on " + host);
    }

    /** True when {@code t} or one of its causes says a listener could not bind its port. */
    static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
            String msg = c.getMessage();
            if (msg != null && (msg.contains("Address already in use") || msg.contains("Socket server failed to bind"))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    static int check(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }
}
