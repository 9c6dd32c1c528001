"""Operational endpoints: /healthz (the process answers), /readyz (it can do its
job), /metrics (Prometheus text format)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from monitor.metrics import exposition


def ops_router(service: Any | None = None) -> APIRouter:
    """`service` offers `readiness()`; without one (`monitor serve`), readiness
    only checks the database."""
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        if service is not None:
            report = service.readiness()
        elif (trouble := request.app.state.store.ping()) is not None:
            report = {"ready": False, "problems": [f"database unreachable: {trouble}"]}
        else:
            report = {"ready": True, "problems": []}
        return JSONResponse(report, status_code=200 if report["ready"] else 503)

    @router.get("/metrics")
    def metrics(request: Request) -> Response:
        return Response(exposition(request.app.state.store), media_type=CONTENT_TYPE_LATEST)

    return router
