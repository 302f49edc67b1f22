"""Settings → Your data: asking for an export, its state without JavaScript and through htmx's
polling, and its download, to its owner alone while it is kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from netzwerk.accounts.models import User
from privacy import jobs
from privacy.models import ExportJob, ExportState

INDEX = reverse("privacy:index")
STATUS = reverse("privacy:export_status")


def export_card(page: Any) -> str:
    text = page.content.decode()
    return text.split('id="export-card"', 1)[1].split("</section>", 1)[0]


def job_of(user: User, **fields: Any) -> ExportJob:
    now = timezone.now()
    return ExportJob.objects.create(owner=user, created_at=now, filename="netzwerk-export.zip", **fields)


def download_url(job: ExportJob) -> str:
    return reverse("privacy:export_download", kwargs={"pk": job.pk})


def ready_job(user: User) -> ExportJob:
    job = jobs.start(user, now=timezone.now(), enqueue=lambda pk: None)
    assert jobs.build(job.pk, now=timezone.now()) == "ready"
    job.refresh_from_db()
    return job


def test_it_offers_to_prepare_the_data_when_none_is(owner_client: Client) -> None:
    card = export_card(owner_client.get(INDEX))

    assert f'action="{reverse("privacy:export")}"' in card
    assert "Prepare my data" in card
    assert "You can download it for 24 hours." in card
    assert "hx-trigger" not in card


def test_asking_queues_one_export_and_shows_that_it_waits(owner: User, owner_client: Client) -> None:
    response = owner_client.post(reverse("privacy:export"))

    assert response.status_code == 302
    assert response["Location"] == INDEX + "#export"
    (job,) = ExportJob.objects.filter(owner=owner)
    assert job.state == ExportState.QUEUED
    card = export_card(owner_client.get(INDEX))
    assert "Your data waits to be prepared…" in card
    assert f'hx-get="{STATUS}" hx-trigger="every 2s"' in card
    # without JavaScript: a link loads the page again (one to the same address and #export would
    # only scroll), and shows the state
    assert f'href="{STATUS}"' in card
    assert "Your data waits to be prepared…" in export_card(owner_client.get(STATUS))


def test_asking_again_while_it_is_prepared_makes_no_second(owner: User, owner_client: Client) -> None:
    owner_client.post(reverse("privacy:export"))

    response = owner_client.post(reverse("privacy:export"), follow=True)

    assert ExportJob.objects.filter(owner=owner).count() == 1
    assert "Your data is already being prepared." in response.content.decode()


def test_it_shows_the_progress_of_a_running_export(owner: User, owner_client: Client) -> None:
    job_of(owner, state=ExportState.RUNNING, progress=40)

    card = export_card(owner_client.get(INDEX))

    assert "Your data is being prepared: 40 %" in card
    assert '<progress max="100" value="40"' in card


def test_the_polled_card_is_a_fragment_and_stops_polling_when_ready(
    owner: User, owner_client: Client
) -> None:
    job = job_of(owner, state=ExportState.RUNNING, progress=40)
    polled = owner_client.get(STATUS, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert "<html" not in polled.content.decode()
    assert "hx-trigger" in polled.content.decode()

    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.READY, progress=100, expires_at=timezone.now() + timedelta(hours=24)
    )
    done = owner_client.get(STATUS, HTTP_HX_REQUEST="true").content.decode()

    assert "hx-trigger" not in done
    assert download_url(job) in done
    # the same address without htmx: the whole page
    assert "<html" in owner_client.get(STATUS).content.decode()


def test_it_links_a_ready_export_and_says_until_when(owner: User, owner_client: Client) -> None:
    job = ready_job(owner)

    card = export_card(owner_client.get(INDEX))

    assert f'href="{download_url(job)}"' in card
    assert "Your data is ready" in card
    assert "Prepare my data" not in card
    # Data changed since: a fresh file can be asked for beside the ready one.
    assert "Prepare again with today's data" in card
    assert owner_client.post(reverse("privacy:export")).status_code == 302
    assert ExportJob.objects.filter(owner=owner, state=ExportState.QUEUED).count() == 1


def test_it_says_when_preparing_failed_and_offers_to_try_again(owner: User, owner_client: Client) -> None:
    job_of(owner, state=ExportState.FAILED)

    card = export_card(owner_client.get(INDEX))

    assert "Your data could not be prepared. Please try again." in card
    assert "Try again" in card
    assert owner_client.post(reverse("privacy:export")).status_code == 302
    assert ExportJob.objects.filter(owner=owner, state=ExportState.QUEUED).count() == 1


@override_settings(EXPORTS_PER_DAY=1)
def test_it_refuses_past_the_daily_limit_with_429_and_says_why(owner: User, owner_client: Client) -> None:
    ready_job(owner)

    response = owner_client.post(reverse("privacy:export"))

    assert response.status_code == 429
    assert "You can prepare your data once in 24 hours. You can do so again from" in export_card(response)
    assert ExportJob.objects.filter(owner=owner).count() == 1


@override_settings(EXPORTS_PER_DAY=2)
def test_it_explains_the_limit_in_german(owner: User, owner_client: Client) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    ready_job(owner)
    ready_job(owner)

    response = owner_client.post(reverse("privacy:export"))

    assert response.status_code == 429
    assert "Du kannst deine Daten in 24 Stunden 2-mal vorbereiten lassen. Ab " in export_card(response)


def test_it_serves_the_zip_to_its_owner_only(
    owner: User, owner_client: Client, stranger_client: Client
) -> None:
    job = ready_job(owner)

    response = owner_client.get(download_url(job))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert int(response["Content-Length"]) == job.size == len(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert "no-store" in response["Cache-Control"]
    assert stranger_client.get(download_url(job)).status_code == 404
    anonymous = Client().get(download_url(job))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("state", [ExportState.QUEUED, ExportState.RUNNING, ExportState.FAILED])
def test_it_serves_nothing_before_the_export_is_ready(
    state: ExportState, owner: User, owner_client: Client
) -> None:
    assert owner_client.get(download_url(job_of(owner, state=state))).status_code == 404


def test_an_expired_download_is_gone_and_the_page_says_so(owner: User, owner_client: Client) -> None:
    job = ready_job(owner)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = owner_client.get(download_url(job))

    assert response.status_code == 410
    card = export_card(response)
    assert "This download has expired" in card
    assert "Prepare my data" in card
    assert download_url(job) not in card
