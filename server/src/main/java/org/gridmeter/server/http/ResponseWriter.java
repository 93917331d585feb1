package org.gridmeter.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** The one place HTTP responses are written: status, body, Content-Type, Content-Length, keep-alive. */
final class ResponseWriter {

    private static final Logger log = LoggerFactory.getLogger(ResponseWriter.class);
    private static final long HEARTBEAT_SECONDS = 15;
    /**
     * On every answer: scripts, styles and connections from this server only, no inline script or
     * style, no framing. The dashboard is built to it; a JSON answer opened in a browser runs nothing.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** The headers every answer carries, streams included. */
    private static void securityHeaders(HttpResponse http) {
        http.headers()
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer");
    }

    private ResponseWriter() {
    }

    /**
     * Starts an event stream: chunked, no idle timeout (a comment line every 15 s keeps proxies from
     * closing it), frames written on the connection's event loop as they come, dropped while the
     * client does not keep up. Ends when the client closes the connection.
     */
    static void stream(ChannelHandlerContext ctx, Response response) {
        HttpResponse http = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        http.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        securityHeaders(http);
        HttpUtil.setTransferEncodingChunked(http, true);
        if (ctx.pipeline().get(IdleStateHandler.class) != null) {
            ctx.pipeline().remove(IdleStateHandler.class);
        }
        ctx.write(http);
        ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), ": gridmeter\n\n")));
        Channel channel = ctx.channel();
        AutoCloseable subscription = response.stream().open(frame -> ctx.executor().execute(() -> {
            if (channel.isActive() && channel.isWritable()) {
                ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), frame)), ctx.voidPromise());
            }
        }));
        ScheduledFuture<?> heartbeat = ctx.executor().scheduleAtFixedRate(() -> {
            if (channel.isActive()) {
                ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), ": ping\n\n")),
                        ctx.voidPromise());
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> {
            heartbeat.cancel(false);
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("event=stream_unsubscribe_failed", e);
            }
        });
    }

    /**
     * Writes {@code response} and flushes; closes the connection afterwards unless {@code keepAlive}.
     * Call on the channel's event loop.
     */
    static void write(ChannelHandlerContext ctx, Response response, boolean keepAlive) {
        ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), response.body());
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), body);
        http.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        securityHeaders(http);
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            http.headers().set(header.getKey(), header.getValue());
        }
        if (keepAlive) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(http, ctx.voidPromise());
        } else {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(http).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
