"""``POST /oauth2/token``: the OAuth2 client-credentials grant."""

from .endpoints import ApiRequest, Endpoint, opt
from .replies import Reply, json_reply


def _oauth_error(error: str, message: str, status: int) -> Reply:
    return json_reply({"error": error, "message": message}, status=status)


def issue_token(request: ApiRequest) -> Reply:
    """Exchange a client id and secret for a bearer token."""
    params = request.params
    grant_type = opt(params, "grant_type")
    if grant_type is None:
        return _oauth_error("invalid_request", "Missing required parameter: grant_type", 400)
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only client_credentials is supported", 400)
    account = request.state.account_for_client(
        opt(params, "client_id") or "", opt(params, "client_secret") or ""
    )
    if account is None:
        return _oauth_error("invalid_client", "Unknown client or wrong secret", 401)
    return json_reply(
        {
            "access_token": request.state.issue_token(account),
            "token_type": "Bearer",
            "expires_in": request.state.token_lifetime,
        }
    )


ENDPOINTS = (Endpoint("/oauth2/token/", ("POST",), issue_token),)
