import socket

from celery import shared_task


@shared_task
def echo(token: str) -> dict:
    """A task with no side effects, used to prove a worker picks up queued work end to end."""
    return {"token": token, "host": socket.gethostname()}
