package dev.greenlet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * {@link Greenlet @Greenlet} under a name that does not clash with the
 * {@code dev.greenlet.Greenlet} handle, for a file that uses both:
 *
 * <pre>{@code
 * import dev.greenlet.Greenlet;
 * import dev.greenlet.spring.Spawn;
 *
 * @Spawn
 * public Greenlet<Page> fetch(URI uri) {
 *     return Greenlet.completed(client.get(uri));
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Greenlet
public @interface Spawn {

    /** See {@link Greenlet#value()}. */
    @AliasFor(annotation = Greenlet.class)
    String value() default "";
}
