# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of every module. Must stay identical to connection_argument_spec() in
    # plugins/module_utils/api/_connection.py (a unit test compares them).
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Marketplace API, including the region path, for example
        V(https://api.cloud.im/marketplace/eu) or V(https://api.cloud.im/marketplace/na).
      - Required. If not set here, the E(INGRAM_API_URL) environment variable is used.
    type: str
  username:
    description:
      - The Marketplace API user (its login usually ends in C(.API)).
      - Required. If not set here, the E(INGRAM_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of the Marketplace API user.
      - Required. If not set here, the E(INGRAM_PASSWORD) environment variable is used, or else the content of the file
        named by E(INGRAM_PASSWORD_FILE) (how the AWX credential type passes it, so it is not in the environment).
    type: str
  subscription_key:
    description:
      - The API gateway subscription key, sent as C(X-Subscription-Key) on every request.
      - Required. If not set here, the E(INGRAM_SUBSCRIPTION_KEY) environment variable is used, or else the content of
        the file named by E(INGRAM_SUBSCRIPTION_KEY_FILE).
    type: str
  marketplace:
    description:
      - The marketplace code sent when requesting a token, for example V(us), V(ca), V(de) or V(uk).
      - Required. If not set here, the E(INGRAM_MARKETPLACE) environment variable is used.
    type: str
  client_id:
    description:
      - Optional application id sent as C(X-Client-Id), as issued by Ingram Micro support to partner applications.
      - If not set here, the E(INGRAM_CLIENT_ID) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Set to V(false) only against a test endpoint.
      - If not set here, the E(INGRAM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each API response once connected.
      - Until the API has answered once in a task, a host that takes the connection but sends no answer within this
        time is not retried - it is reported at once as not answering, naming the host and port.
      - If not set here, the E(INGRAM_TIMEOUT) environment variable is used.
    type: float
    default: 30.0
  connect_timeout:
    description:
      - Seconds to wait for a connection to the API (or to the proxy) to open, separately from O(timeout).
      - Until the API has answered once in a task, failures to connect (refused, a host name that does not resolve, no
        answer to connect) are retried for about 30 seconds only, so a wrong O(api_url), proxy or network is reported
        quickly, naming the host and port and what to check; once the API has answered, they are retried as
        O(max_retries) and O(retry_timeout) allow.
      - If not set here, the E(INGRAM_CONNECT_TIMEOUT) environment variable is used.
    type: float
    default: 10.0
  max_retries:
    description:
      - How many times a request that failed with a server error, a timeout or a dropped connection is retried, with
        exponential backoff and jitter, honouring C(Retry-After).
      - Reads are retried on connection errors, timeouts and HTTP 500, 502, 503 and 504. Writes are retried only when
        the server certainly did not act on them (HTTP 503, or no connection); an order whose outcome is unknown is
        looked up, never sent twice.
      - Throttled requests (HTTP 429) do not count here; O(retry_timeout) bounds them.
      - If not set here, the E(INGRAM_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
  retry_timeout:
    description:
      - The longest time, in seconds, one request is retried. A request the API throttles (HTTP 429) is retried until
        then, so a rate-limited run slows down instead of giving up.
      - All the threads of a task share one throttle - a 429 pauses every one of them for the C(Retry-After) the API
        asked for (seconds or an HTTP date; a growing backoff without one), and the number of requests in flight is
        halved on a 429 and grows back with each success.
      - If not set here, the E(INGRAM_RETRY_TIMEOUT) environment variable is used.
    type: float
    default: 300.0
  token_cache:
    description:
      - Cache the API token on disk so that later tasks and parallel forks reuse it instead of requesting a new one.
      - The cache lives in C($XDG_CACHE_HOME/ingrammicro.marketplace/tokens) (default C(~/.cache)), one file per
        credential set with mode 0600 in a 0700 directory. It holds the token and its expiry only, never the password
        or the subscription key.
      - If not set here, the E(INGRAM_TOKEN_CACHE) environment variable is used.
    type: bool
    default: true
  change_quantity:
    description:
      - How the platform reads the quantity of a C(change) order line. V(total) (the default) sends the new total
        number of seats, which is what the Marketplace API does as far as public evidence shows; V(delta) sends the
        signed number of seats to add or remove.
      - The vendor contract does not state which one applies, so before the first change order of a run the API's
        price estimate of the change is compared with the change intended, and a clear contradiction stops the run
        before anything is bought, naming the setting that matches. When a run places several change orders and the
        reading has not been confirmed yet for this O(api_url) and O(marketplace), one order is placed, completed and
        read back first (a canary), and only then the others, so at most one order can be wrong. After every change
        order the subscription is read back; a seat count other than the one asked for fails loudly.
      - If not set here, the E(INGRAM_CHANGE_QUANTITY) environment variable is used.
    type: str
    choices: [total, delta]
    default: total
  change_quantity_confirmed:
    description:
      - Set to V(true) when you have confirmed how your platform reads change-order quantities (for example with the
        C(ingrammicro.marketplace.check_connection) playbook and one change you checked in the reseller panel). Runs
        then skip the canary order.
      - A canary that completes correctly records the confirmation in C($XDG_CACHE_HOME/ingrammicro.marketplace/readings)
        (default C(~/.cache)) for later runs on the same machine. AWX jobs start with an empty cache, which is what this
        setting is for.
      - The price-estimate check still runs and still stops a run it contradicts.
      - If not set here, the E(INGRAM_CHANGE_QUANTITY_CONFIRMED) environment variable is used.
    type: bool
    default: false
requirements:
  - requests
notes:
  - Connection options are usually given once, through environment variables (for example from an AWX credential) or
    through C(module_defaults) with the C(group/ingrammicro.marketplace.all) action group.
"""
