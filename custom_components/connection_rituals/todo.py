"""Today's rituals as a to-do list: tick one off to complete it, remove it for "not
today" (always free; it comes back tomorrow)."""

from __future__ import annotations

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .const import DOMAIN
from .core.streaks import DayOutcome
from .entity import CoupleEntity

PARALLEL_UPDATES = 0

TODAY = EntityDescription(key="today", translation_key="today")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The couple's "Today's rituals" list."""
    async_add_entities([TodayTodoList(entry.runtime_data, TODAY)])


class TodayTodoList(CoupleEntity, TodoListEntity):
    """One item per ritual active today; done once completed today."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    async def async_added_to_hass(self) -> None:
        """Follow the engine; `todo_items` is a cached property, so set its attribute."""
        self._refresh_items()
        self.async_on_remove(self.engine.async_add_listener(None, self._async_refresh))

    @callback
    def _async_refresh(self) -> None:
        self._refresh_items()
        self.async_write_ha_state()

    def _refresh_items(self) -> None:
        self._attr_todo_items = [
            TodoItem(
                uid=ritual.config.ritual_id,
                summary=ritual.config.name,
                status=TodoItemStatus.COMPLETED
                if ritual.stats.today is DayOutcome.COMPLETED
                else TodoItemStatus.NEEDS_ACTION,
            )
            for ritual in self.engine.todays_rituals()
            # "Not today" takes a ritual off today's list.
            if ritual.stats.today is not DayOutcome.SKIPPED
        ]

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Removing an item is "not today" for that ritual: free, and back tomorrow."""
        rituals = [self.engine.rituals.get(uid) for uid in uids]
        if any(ritual is None for ritual in rituals):
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="unknown_todo_item"
            )
        for ritual in rituals:
            if ritual is not None and ritual.stats.today is not DayOutcome.COMPLETED:
                self.engine.skip(ritual)

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Ticking an item off completes the ritual for today."""
        ritual = self.engine.rituals.get(item.uid or "")
        if ritual is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="unknown_todo_item"
            )
        if item.status == TodoItemStatus.COMPLETED:
            if ritual.stats.today is not DayOutcome.COMPLETED:
                self.engine.complete(ritual)
            return
        if ritual.stats.today is DayOutcome.COMPLETED:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="cannot_uncomplete"
            )
