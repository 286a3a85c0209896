"""HTTP layer of the simulator: API routes under /marketplace/<region>, the gateway pipeline, and /_sim control endpoints.

The gateway middleware does what the real API gateway and the simulator's fault injection do around each
API call, in this order: record it in the request log, add latency, maybe drop the connection, check the
subscription key, apply the rate-limit budget, maybe answer a 5xx, check the bearer token, advance the
asynchronous orders and reports, run the operation, maybe delay the answer (slow), maybe lose the answer
of a POST /orders that was acted on. Control endpoints skip all of that and are not recorded.
"""

import asyncio
import http
import json
import logging
import re
import time
import uuid

from aiohttp import web

from . import seed
from .common import ApiError, bad_request, iso_datetime, utcnow
from .state import SimState

STATE = web.AppKey("state", SimState)
API_PATH = re.compile(r"^/marketplace/[^/]+(/.*)?$")
LOG = logging.getLogger(__name__)

# (method, path below /marketplace/<region>, action(state, request)); request["body"] holds the parsed JSON body.
API_ROUTES = (
    ("POST", "/token", lambda state, request: state.issue_token(request.headers.get("Authorization"), request["body"])),
    ("GET", "/customers", lambda state, request: state.list_customers(request.query)),
    ("POST", "/customers", lambda state, request: state.create_customer(request["body"])),
    ("GET", "/customers/{id}", lambda state, request: state.get_customer(request.match_info["id"])),
    ("PATCH", "/customers/{id}", lambda state, request: state.update_customer(request.match_info["id"], request["body"])),
    ("POST", "/orders/estimate", lambda state, request: state.estimate_order(request["body"])),
    ("GET", "/orders", lambda state, request: state.list_orders(request.query)),
    ("POST", "/orders", lambda state, request: state.create_order(request["body"])),
    ("GET", "/orders/{id}", lambda state, request: state.get_order(request.match_info["id"])),
    ("PATCH", "/orders/{id}", lambda state, request: state.update_order(request.match_info["id"], request["body"])),
    ("GET", "/products", lambda state, request: state.list_products(request.query)),
    ("GET", "/reports", lambda state, request: state.list_reports(request.query)),
    ("POST", "/reports", lambda state, request: state.create_report(request["body"])),
    ("GET", "/reports/{id}", lambda state, request: state.get_report(request.match_info["id"])),
    ("GET", "/resellers", lambda state, request: state.list_resellers(request.query)),
    ("POST", "/resellers", lambda state, request: state.create_reseller(request["body"])),
    ("GET", "/resellers/{id}", lambda state, request: state.get_reseller(request.match_info["id"])),
    ("PATCH", "/resellers/{id}", lambda state, request: state.update_reseller(request.match_info["id"], request["body"])),
    ("GET", "/resellers/{id}/customers", lambda state, request: state.list_customers(request.query, request.match_info["id"])),
    ("POST", "/resellers/{id}/customers", lambda state, request: state.create_customer(request["body"], request.match_info["id"])),
    ("GET", "/resellers/{id}/orders", lambda state, request: state.list_orders(request.query, request.match_info["id"])),
    ("GET", "/plans", lambda state, request: state.list_plans(request.query)),
    ("GET", "/plans/{id}", lambda state, request: state.get_plan(request.match_info["id"])),
    ("GET", "/subscriptions", lambda state, request: state.list_subscriptions(request.query)),
    ("GET", "/subscriptions/{id}", lambda state, request: state.get_subscription(request.match_info["id"])),
    ("PATCH", "/subscriptions/{id}", lambda state, request: state.update_subscription(request.match_info["id"], request["body"])),
    ("POST", "/subscriptions/{id}/specialPricing", lambda state, request: state.special_pricing(request.match_info["id"], request["body"])),
    ("POST", "/validation/parameters", lambda state, request: state.validate_parameters(request["body"])),
)


async def _json_body(request):
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request("request body is not valid JSON") from None


def _error_response(status, message, request, correlation_id, headers=None):
    """The superset of the error bodies seen from this API (1.1 spec and clients built against 1.15)."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    now = iso_datetime(utcnow())
    body = {"timestamp": now, "timeStamp": now, "status": status, "error": reason, "message": message, "path": request.path,
            "correlationId": correlation_id}
    return web.json_response(body, status=status, headers=headers)


def _drop(request):
    """Close the connection without answering; the response returned after this is never written."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


async def _respond(request, call, correlation_id):
    """Run `call` and turn every failure into the API's error body."""
    try:
        response = await call()
    except ApiError as error:
        response = _error_response(error.status, error.message, request, correlation_id, error.headers)
    except web.HTTPException as exc:  # no route matched: 404 / 405
        message = f"no operation {request.method} {request.path}" if exc.status == 404 else exc.reason
        response = _error_response(exc.status, message, request, correlation_id)
    except Exception:  # pylint: disable=broad-exception-caught  # a simulator bug must still answer with the error body
        LOG.exception("unexpected error in %s %s", request.method, request.path)
        response = _error_response(500, "internal simulator error", request, correlation_id)
    response.headers["X-Correlation-ID"] = correlation_id
    return response


@web.middleware
async def gateway(request, handler):
    state = request.app[STATE]
    correlation_id = f"sim-{uuid.uuid4()}"
    match = API_PATH.match(request.path)
    if match is None:
        async def control():
            state.advance()
            return await handler(request)
        return await _respond(request, control, correlation_id)

    api_path = match.group(1) or "/"
    entry = state.record(request.method, request.path, dict(request.query))
    generation = state.generation
    state.in_flight[generation] += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight[generation])
    try:
        return await _gateway_api(request, handler, state, entry, api_path, correlation_id)
    finally:
        state.in_flight[generation] -= 1
        if not state.in_flight[generation]:
            del state.in_flight[generation]


async def _gateway_api(request, handler, state, entry, api_path, correlation_id):
    """The gateway and fault pipeline of one API request (see the module docstring)."""
    faults = state.faults
    state.capture(request.method, request.path, dict(request.query), request.headers, await request.read())
    if faults.settings["latency_ms"]:
        await asyncio.sleep(faults.settings["latency_ms"] / 1000)
    targeted = faults.targets(request.method, api_path, request.query_string)
    if targeted and faults.fires("drop"):
        return _drop(request)
    if request.method == "POST" and api_path in ("/orders", "/customers") and faults.settings["rendezvous_seconds"]:
        await _rendezvous(state, api_path, await request.read(), faults.settings["rendezvous_seconds"])

    async def api_call():
        key = request.headers.get("X-Subscription-Key")
        state.check_subscription_key(key)
        if targeted:
            retry_after = faults.rate_limited(key, time.monotonic())
            if retry_after is not None:
                raise ApiError(429, "Rate limit is exceeded; try again later.", {"Retry-After": retry_after} if retry_after else None)
            if faults.fires("error"):
                raise ApiError(faults.settings["error_status"], "Simulated server error (fault injection); the request was not processed.")
        if api_path != "/token":
            state.check_bearer(request.headers.get("Authorization"))
        state.advance()
        return await handler(request)

    response = await _respond(request, api_call, correlation_id)
    if targeted and faults.settings["slow_ms"] and faults.fires("slow"):
        await asyncio.sleep(faults.settings["slow_ms"] / 1000)
    if request.method == "POST" and api_path == "/orders" and response.status == 200 and faults.take("lose_order_responses"):
        return _drop(request)
    entry["status"] = response.status
    return response


async def _rendezvous(state, api_path, raw_body, seconds):
    """Hold a POST /orders until another one for the same target (subscription, else customer) arrives, and a POST
    /customers until another one with the same external id does, for at most ``seconds``; then both go on together.
    Two runs creating the same thing always race, however far apart a busy machine started them."""
    try:
        body = json.loads(raw_body or b"{}")
    except ValueError:
        return  # the handler answers the malformed body
    if not isinstance(body, dict):
        return
    key = (api_path, body.get("externalId") if api_path == "/customers" else body.get("subscriptionId") or body.get("customerId"))
    waiting = state.rendezvous.pop(key, None)
    if waiting is not None:
        waiting.set()  # the other order was held for this one: both go on now
        return
    arrived = state.rendezvous[key] = asyncio.Event()
    try:
        await asyncio.wait_for(arrived.wait(), seconds)
    except asyncio.TimeoutError:
        if state.rendezvous.get(key) is arrived:  # no other order came
            del state.rendezvous[key]


def _api_handler(action):
    async def handler(request):
        request["body"] = await _json_body(request) if request.method in ("POST", "PATCH") else None
        return web.json_response(action(request.app[STATE], request))
    return handler


async def _sim_reset(request):
    request.app[STATE].reset()
    return web.json_response({"reset": True})


async def _sim_requests(request):
    return web.json_response(request.app[STATE].log)


async def _sim_start_capture(request):
    request.app[STATE].captured = []
    return web.json_response({"capturing": True})


async def _sim_captured(request):
    return web.json_response(request.app[STATE].captured or [])


async def _sim_secrets(request):
    return web.json_response(request.app[STATE].issued_secrets)


async def _sim_stats(request):
    return web.json_response(request.app[STATE].stats())


async def _sim_get_faults(request):
    return web.json_response(request.app[STATE].faults.settings)


async def _sim_set_faults(request):
    return web.json_response(request.app[STATE].faults.update(await _json_body(request)))


async def _sim_seed(request):
    state = request.app[STATE]
    return web.json_response(seed.generate(state, await _json_body(request)))


async def _sim_update_subscription(request):
    state = request.app[STATE]
    return web.json_response(state.platform_update_subscription(request.match_info["id"], await _json_body(request)))


async def _sim_file(request):
    stored = request.app[STATE].download(request.match_info["name"], request.query.get("sig"))
    return web.Response(body=stored["body"], content_type=stored["content_type"])


def create_app(config):
    app = web.Application(middlewares=[gateway])
    app[STATE] = SimState(config)
    for method, path, action in API_ROUTES:
        app.router.add_route(method, "/marketplace/{region}" + path, _api_handler(action))
    app.router.add_post("/_sim/reset", _sim_reset)
    app.router.add_get("/_sim/requests", _sim_requests)
    app.router.add_get("/_sim/stats", _sim_stats)
    app.router.add_get("/_sim/secrets", _sim_secrets)
    app.router.add_post("/_sim/capture", _sim_start_capture)
    app.router.add_get("/_sim/captured", _sim_captured)
    app.router.add_get("/_sim/faults", _sim_get_faults)
    app.router.add_post("/_sim/faults", _sim_set_faults)
    app.router.add_post("/_sim/seed", _sim_seed)
    app.router.add_get("/_sim/files/{name}", _sim_file)
    app.router.add_post("/_sim/subscriptions/{id}", _sim_update_subscription)
    return app
