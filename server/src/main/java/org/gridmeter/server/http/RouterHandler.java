package org.gridmeter.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.gridmeter.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each aggregated request into a {@link Request}, routes it, checks access, runs the handler
 * (on the event loop, or on the blocking pool for routes that touch the database) and writes the
 * answer. While a connection waits for a blocking route, it stops reading and holds the requests
 * it had read already, so pipelined requests are answered in order and never pile up.
 */
@Sharable
final class RouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RouterHandler.class);

    private final Router router;
    private final AdminAuth auth;
    private final Executor blocking;
    private final ServerMetrics metrics;

    RouterHandler(Router router, AdminAuth auth, Executor blocking, ServerMetrics metrics) {
        this.router = router;
        this.auth = auth;
        this.blocking = blocking;
        this.metrics = metrics;
    }

    /** Per connection: whether a blocking route is being answered, and the requests read meanwhile. */
    private static final class InFlight {
        boolean busy;
        final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    }

    private static final AttributeKey<InFlight> IN_FLIGHT = AttributeKey.valueOf(RouterHandler.class, "inFlight");

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InFlight inFlight = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
        if (inFlight != null) {
            inFlight.waiting.forEach(FullHttpRequest::release);
            inFlight.waiting.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        InFlight inFlight = ctx.channel().attr(IN_FLIGHT).get();
        if (inFlight == null) {
            inFlight = new InFlight();
            ctx.channel().attr(IN_FLIGHT).set(inFlight);
        }
        if (inFlight.busy) {
            inFlight.waiting.add(http.retain());
            return;
        }
        handle(ctx, http, inFlight);
    }

    /** Answers the requests that waited for a blocking one, in order, until one blocks again. */
    private void resume(ChannelHandlerContext ctx, InFlight inFlight) {
        inFlight.busy = false;
        ctx.channel().config().setAutoRead(true);
        FullHttpRequest next;
        while (!inFlight.busy && (next = inFlight.waiting.poll()) != null) {
            try {
                handle(ctx, next, inFlight);
            } finally {
                next.release();
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest http, InFlight inFlight) {
        long started = System.nanoTime();
        if (http.decoderResult().isFailure()) {
            Response error = decodeError(http.decoderResult().cause());
            finish(ctx, "(malformed)", http.method().name(), error, false, started);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(http);
        String method = http.method().name();
        Request request;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(http.uri(), StandardCharsets.UTF_8);
            request = new Request(method, Request.normalizePath(uri.path()), uri.parameters(),
                    http.headers().get(HttpHeaderNames.AUTHORIZATION), http.content().toString(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            finish(ctx, "(malformed)", method, ErrorBody.response(400, "requisicao_invalida",
                    "The request URI is malformed (" + e.getMessage() + "); percent-encode special characters."),
                    keepAlive, started);
            return;
        }
        String path = request.path();
        Router.Match match = router.route(method, path);
        if (match instanceof Router.Match.NotFound) {
            finish(ctx, "(none)", method, ErrorBody.response(404, "rota_inexistente",
                    "No route " + path + "; see the README for the routes."), keepAlive, started);
        } else if (match instanceof Router.Match.MethodNotAllowed notAllowed) {
            String allow = String.join(", ", notAllowed.allowed());
            finish(ctx, path, method, ErrorBody.response(405, "metodo_nao_permitido",
                    "Method " + method + " is not allowed on " + path + "; use " + allow + ".")
                    .withHeader("Allow", allow), keepAlive, started);
        } else {
            Router.Route route = ((Router.Match.Found) match).route();
            Response denied = route.access() == Router.Access.ADMIN ? auth.check(request.authorization()) : null;
            if (denied != null) {
                finish(ctx, route.path(), method, denied, keepAlive, started);
            } else if (!route.blocking()) {
                finish(ctx, route.path(), method, invoke(route, request), keepAlive, started);
            } else {
                inFlight.busy = true;
                ctx.channel().config().setAutoRead(false);
                try {
                    blocking.execute(() -> {
                        Response response = invoke(route, request);
                        ctx.executor().execute(() -> {
                            finish(ctx, route.path(), method, response, keepAlive, started);
                            resume(ctx, inFlight);
                        });
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.busy = false;
                    ctx.channel().config().setAutoRead(true);
                    finish(ctx, route.path(), method, ErrorBody.response(503, "servidor_ocupado",
                            "The server is busy or stopping; retry in a moment."), false, started);
                }
            }
        }
    }

    private Response invoke(Router.Route route, Request request) {
        try {
            return route.handler().handle(request);
        } catch (ApiException e) {
            return ErrorBody.response(e);
        } catch (Exception e) {
            log.error("event=http_handler_failed route=\"{} {}\"", route.method(), route.path(), e);
            return ErrorBody.response(500, "erro_interno",
                    "The server failed to answer; the log has the details. Please report it.");
        }
    }

    private void finish(ChannelHandlerContext ctx, String route, String method, Response response, boolean keepAlive,
            long started) {
        if (response.stream() != null) {
            ResponseWriter.stream(ctx, response);
        } else {
            ResponseWriter.write(ctx, response, keepAlive);
        }
        metrics.httpRequest(route, method, response.status(), System.nanoTime() - started);
    }

    private static Response decodeError(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return ErrorBody.response(414, "uri_longa_demais", "The request line is over 4 KiB.");
        } else if (cause instanceof TooLongHttpHeaderException) {
            return ErrorBody.response(431, "cabecalhos_grandes_demais", "The request headers are over 8 KiB.");
        } else if (cause instanceof TooLongFrameException) {
            return ErrorBody.response(413, "corpo_grande_demais", "The request is too large.");
        }
        return ErrorBody.response(400, "requisicao_invalida", "Malformed HTTP request: " + cause.getMessage());
    }
}
