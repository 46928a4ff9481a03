"""HTTP service: FastAPI app, routers and request/response models."""
