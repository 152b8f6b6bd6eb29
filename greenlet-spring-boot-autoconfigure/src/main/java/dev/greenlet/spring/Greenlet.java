package dev.greenlet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs each call of the annotated method (or of every public method of the annotated class)
 * as a greenlet: the call returns at once and the body runs on a hub, cooperatively with the
 * hub's other greenlets. No {@code @EnableAsync} is needed; the starter registers the support.
 *
 * <pre>{@code
 * @Service
 * class Fetcher {
 *     @Greenlet
 *     CompletableFuture<Page> fetch(URI uri) {
 *         return CompletableFuture.completedFuture(restClient.get().uri(uri).retrieve().body(Page.class));
 *     }
 * }
 * }</pre>
 *
 * <p>Return types:
 * <ul>
 * <li>{@code void}: fire and forget; an exception goes to the hub's error handler, which logs it.</li>
 * <li>{@code CompletableFuture<T>}, {@code CompletionStage<T>}, {@code Future<T>}: return
 * {@code CompletableFuture.completedFuture(value)} from the body; the caller gets a future of
 * the greenlet's outcome. An exception fails the future and the greenlet alike: it is counted
 * and goes to the hub's error handler too, whether or not the caller looks at the future
 * ({@code greenlet.executor.log-future-failures=false} quiets the log line, not the count).
 * Cancelling the future kills the greenlet.</li>
 * <li>{@link dev.greenlet.Greenlet Greenlet&lt;T&gt;}: return
 * {@code dev.greenlet.Greenlet.completed(value)} from the body; the caller gets the greenlet
 * itself, to {@code join}, {@code get}, {@code link} or {@code kill} it, and a failure is both
 * stored on it and reported, as for any greenlet.</li>
 * </ul>
 * Any other return type fails the application's start-up with a message naming the method.
 *
 * <p>Each greenlet is named after the method ({@code Fetcher.fetch}), in failure logs and the
 * {@code greenlets} endpoint.
 *
 * <p>In a file that also uses the {@code dev.greenlet.Greenlet} handle, the two simple names
 * clash: write {@link Spawn @Spawn}, the same annotation under a name that does not.
 *
 * <p>Like {@code @Async}, it works through a proxy: a call from the same object
 * ({@code this.fetch(...)}) runs synchronously. It coexists with {@code @Async} on other methods.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Greenlet {

    /**
     * The name of the bean to run on: a {@link dev.greenlet.Hub}, a {@link GreenletHubs} or a
     * {@link GreenletTaskExecutor}. Empty (the default): the auto-configured hubs, through the
     * {@code greenletTaskExecutor} bean, with its {@code TaskDecorator}.
     */
    String value() default "";
}
