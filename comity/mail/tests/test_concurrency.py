"""Two deliverers at once, in two processes, against PostgreSQL and a slow SMTP server: each row goes out once.

In production the `deliver_outbox` task (db_worker) and `manage.py outbox_worker` sweep the same table at the
same time; here one child process runs each, started together, while the relay takes its time over every
message. Every message is then counted by its Message-ID, which is unique per outbox row.
"""

import collections
import datetime as dt
import io
import multiprocessing
import os
import re
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from comity.mail import services as outbox
from comity.mail import tasks
from comity.mail.models import OutboxEmail

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between processes need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

FORK = multiprocessing.get_context("fork")  # the children share the test's settings and its test database


def queue(n):
    return [
        outbox.outbox_enqueue(to=f"person{i}@example.test", subject=f"Subject {i}", body_text=f"Body {i}\n")
        for i in range(n)
    ]


def until_all_sent(name, deliver, start, results):
    """Sweep again and again, as a deliverer does, until no row is left to send (or a minute has passed)."""
    totals = {"sent": 0, "retried": 0, "failed": 0}
    try:
        start.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for key, value in deliver().items():
                totals[key] += value
            if not OutboxEmail.objects.filter(status__in=["queued", "sending"]).exists():
                break
            time.sleep(0.05)
        results.put((name, totals))
    except BaseException as exc:  # reported to the parent, which fails the test with it
        results.put((name, repr(exc)))
    finally:
        connections.close_all()


def sweep_by_command():
    """`manage.py outbox_worker --once`, as the worker process runs it."""
    out = io.StringIO()
    call_command("outbox_worker", "--once", stdout=out)
    sent, retried, failed = map(int, re.findall(r"\d+", out.getvalue().strip().splitlines()[-1]))
    return {"sent": sent, "retried": retried, "failed": failed}


def run_command(start, results):
    until_all_sent("command", sweep_by_command, start, results)


def run_task(start, results):
    """The `deliver_outbox` task's body, as db_worker runs it."""
    until_all_sent("task", tasks.deliver_outbox.call, start, results)


def start_children(*targets):
    connections.close_all()  # never share the parent's database connection with a child
    start, results = FORK.Barrier(len(targets)), FORK.Queue()
    children = [FORK.Process(target=target, args=(start, results)) for target in targets]
    for child in children:
        child.start()
    return children, results


def finish(children, results):
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0] * len(children)
    return dict(results.get(timeout=5) for _child in children)


def test_two_deliverers_at_once_over_a_slow_relay_send_every_row_exactly_once(smtp_server, settings):
    # A lease far shorter than a sweep (60 messages at 0.1 s each, about 3 s per deliverer): had a deliverer
    # claimed its rows as a batch, the lease would end half-way and the other one, sweeping again, would send
    # the rest a second time. A claim covers one message, and one message takes 0.1 s.
    settings.NOTIFICATIONS_OUTBOX_LEASE_SECONDS = 2
    smtp_server.sink.delay = 0.1
    rows = queue(60)
    children, results = start_children(run_command, run_task)
    totals = finish(children, results)

    received = collections.Counter(message["Message-ID"] for message in smtp_server.sink.messages)
    assert received == collections.Counter({row.headers["Message-ID"]: 1 for row in rows})
    assert totals["command"]["sent"] + totals["task"]["sent"] == 60
    assert [totals["command"]["retried"], totals["task"]["retried"], totals["command"]["failed"]] == [0, 0, 0]
    assert min(totals["command"]["sent"], totals["task"]["sent"]) >= 1, f"the deliverers did not overlap: {totals}"
    assert set(OutboxEmail.objects.values_list("status", "attempts", "claim", "last_error")) == {("sent", 1, "", "")}


def test_a_deliverer_killed_between_sending_and_recording_leaves_the_row_for_a_second_send(smtp_server):
    """The documented at-least-once case, with a real process death: the relay accepted the message, the
    process died before it recorded that. The row stays `sending`; after the lease it is sent again."""
    [row] = queue(1)

    def killed_after_sending(start, results):
        start.wait()
        outbox._mark_sent = lambda claimed, report: os._exit(9)
        outbox.outbox_deliver_due()

    children, _results = start_children(killed_after_sending)
    children[0].join(timeout=60)
    assert children[0].exitcode == 9
    assert len(smtp_server.sink.envelopes) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sending", 1)
    assert outbox.outbox_deliver_due().as_dict() == {"sent": 0, "retried": 0, "failed": 0}  # the lease holds
    later = timezone.now() + outbox.lease() + dt.timedelta(minutes=1)
    assert outbox.outbox_deliver_due(now=later).as_dict() == {"sent": 1, "retried": 0, "failed": 0}
    assert [m["Message-ID"] for m in smtp_server.sink.messages] == [row.headers["Message-ID"]] * 2
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, outbox.INTERRUPTED)
