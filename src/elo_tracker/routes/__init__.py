"""The API's routes, one module per resource, each an APIRouter under /v1."""
