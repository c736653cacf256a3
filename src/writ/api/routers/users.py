"""User accounts (administrators)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.schemas import Role
from writ.service import auth
from writ.service import users as user_service

router = APIRouter(tags=["users"])


class UserOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    unit: str
    compartments: list[str]
    active: bool


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=128, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    display_name: str | None = Field(default=None, max_length=256)
    roles: list[Role] = Field(min_length=1)
    unit: str = Field(min_length=1, max_length=128)
    compartments: list[str] = Field(default_factory=list)
    password: str | None = Field(default=None, min_length=12, max_length=1024)


class SecondFactor(BaseModel):
    secret: str
    provisioning_uri: str


def _out(user: user_service.User) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        unit=user.unit,
        compartments=sorted(user.compartments),
        active=user.active,
    )


@router.get("/users", response_model=Page[UserOut], summary="List users")
def list_users(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[UserOut]:
    return paging.slice([_out(u) for u in user_service.list_users(svc, actor)])


@router.post("/users", status_code=201, response_model=UserOut, summary="Add a user")
def add_user(body: NewUser, svc: Svc, actor: CurrentActor) -> UserOut:
    user = user_service.add_user(
        svc,
        actor,
        body.username,
        roles=set(body.roles),
        unit=body.unit,
        display_name=body.display_name,
        compartments=set(body.compartments),
        password=body.password,
    )
    return _out(user)


@router.post(
    "/users/{username}/totp",
    response_model=SecondFactor,
    summary="Enrol a new TOTP second factor (shown once)",
)
def enrol_totp(username: str, svc: Svc, actor: CurrentActor) -> SecondFactor:
    secret = auth.enrol_totp(svc, actor, username)
    return SecondFactor(secret=secret, provisioning_uri=auth.provisioning_uri(username, secret))
