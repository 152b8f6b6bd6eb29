package dev.greenlet.diagnostics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The hub monitor's JFR events, category "Greenlet": a stall and a deadlock, each with the
 * holder's stack as text (the event's own stack would be the monitor thread's). Committed on
 * the monitor's thread when it reports; free when no recording enables them. A runtime without
 * the {@code jdk.jfr} module skips them ({@link #emit} never throws).
 */
final class StallEvents {

    private static volatile boolean unavailable;

    private StallEvents() {
    }

    static void emit(HubMonitor.BlockingReport report) {
        if (unavailable) {
            return;
        }
        try {
            Emit.run(report);
        } catch (LinkageError e) {
            unavailable = true;
        }
    }

    private static final class Emit {
        static void run(HubMonitor.BlockingReport report) {
            Event e;
            if (report.isDeadlock()) {
                DeadlockEvent d = new DeadlockEvent();
                if (!d.shouldCommit()) {
                    return;
                }
                d.hub = report.hub().name();
                d.greenletId = report.greenlet().id();
                d.greenletName = report.greenlet().name();
                d.blockedFor = report.blockedFor().toNanos();
                d.advice = report.advice();
                d.stack = report.format();
                d.deadlockedWith = report.deadlockedWith() == null ? 0 : report.deadlockedWith().id();
                e = d;
            } else {
                StallEvent s = new StallEvent();
                if (!s.shouldCommit()) {
                    return;
                }
                s.hub = report.hub().name();
                s.greenletId = report.greenlet().id();
                s.greenletName = report.greenlet().name();
                s.blockedFor = report.blockedFor().toNanos();
                s.site = report.site();
                s.advice = report.advice();
                s.stack = report.format();
                e = s;
            }
            e.commit();
        }
    }

    @Name("dev.greenlet.Stall")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Hub Stall")
    @Category("Greenlet")
    @Description("A greenlet held its hub past the monitor's threshold without a cooperative point")
    @StackTrace(false)
    static final class StallEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        String greenletName;
        @Label("Blocked For")
        @Timespan(Timespan.NANOSECONDS)
        long blockedFor;
        @Label("Site")
        String site;
        @Label("Advice")
        String advice;
        @Label("Report")
        @Description("The monitor's report: the holder's stack and the advice")
        String stack;
    }

    @Name("dev.greenlet.Deadlock")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Hub Deadlock")
    @Category("Greenlet")
    @Description("The hub's holder waits for something only another greenlet of the hub can give: it will not recover")
    @StackTrace(false)
    static final class DeadlockEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        String greenletName;
        @Label("Blocked For")
        @Timespan(Timespan.NANOSECONDS)
        long blockedFor;
        @Label("Advice")
        String advice;
        @Label("Report")
        String stack;
        @Label("Deadlocked With")
        long deadlockedWith;
    }
}
