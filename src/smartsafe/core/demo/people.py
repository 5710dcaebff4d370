# ruff: noqa: E501  (text material: one sentence per line reads better than wrapped strings)
"""Invented people and online identities for the demo. Any likeness to real accounts is chance.

Phone numbers use the +381 6x 555 block; profile names are built from common words, never
taken from real accounts.
"""

from __future__ import annotations

FEMALE_NAMES = ["Јелена", "Марија", "Ана", "Милица", "Јована", "Снежана", "Драгана", "Ивана", "Тамара", "Сања",
                "Мирјана", "Биљана", "Наташа", "Гордана", "Светлана", "Маја", "Невена", "Катарина", "Данијела",
                "Весна", "Ђурђица", "Љиљана", "Зорица", "Тијана"]
MALE_NAMES = ["Милош", "Никола", "Марко", "Стефан", "Александар", "Небојша", "Дејан", "Горан", "Зоран", "Иван",
              "Драган", "Немања", "Владимир", "Душан", "Бојан", "Срђан", "Лазар", "Вук", "Петар", "Ђорђе"]
SURNAMES = ["Јовановић", "Петровић", "Николић", "Марковић", "Ђорђевић", "Стојановић", "Илић", "Станковић",
            "Павловић", "Милошевић", "Томић", "Поповић", "Стевановић", "Костић", "Лазић", "Радовановић",
            "Живковић", "Јанковић", "Тодоровић", "Савић", "Ковачевић", "Митровић", "Ђукић", "Васић"]
CHILD_FEMALE = ["Мина", "Сара", "Теодора", "Софија", "Ена", "Дуња", "Лена", "Нађа", "Искра", "Вања", "Хана", "Ања"]
CHILD_MALE = ["Лука", "Вук", "Лазар", "Огњен", "Страхиња", "Урош", "Андреј", "Матеја", "Павле", "Вељко", "Алекса"]

# Extra counsellors (username, first name, last name) so the workload spreads over a real team.
EXTRA_COUNSELLORS = [
    ("jelena.markovic", "Јелена", "Марковић"),
    ("milos.todorovic", "Милош", "Тодоровић"),
    ("snezana.popovic", "Снежана", "Поповић"),
    ("nikola.kostic", "Никола", "Костић"),
    ("marija.lazarevic", "Марија", "Лазаревић"),
    ("stefan.nikolic", "Стефан", "Николић"),
    ("tamara.savic", "Тамара", "Савић"),
    ("dusan.lazic", "Душан", "Лазић"),
]
# A shift lead, so closures can be approved even where the role logins are not installed.
EXTRA_SUPERVISOR = ("vesna.milosevic", "Весна", "Милошевић")

# Platform keys → (name, locative phrase) for the text, and the codes the taxonomy may use.
PLATFORMS: dict[str, tuple[str, str]] = {
    "instagram": ("Инстаграм", "на Инстаграму"),
    "tiktok": ("ТикТок", "на ТикТоку"),
    "facebook": ("Фејсбук", "на Фејсбуку"),
    "viber": ("Вајбер", "на Вајберу"),
    "whatsapp": ("Вотсап", "на Вотсапу"),
    "snapchat": ("Снепчет", "на Снепчету"),
    "discord": ("Дискорд", "на Дискорду"),
    "youtube": ("Јутјуб", "на Јутјубу"),
    "telegram": ("Телеграм", "на Телеграму"),
    "roblox": ("Роблокс", "у игрици Роблокс"),
    "fortnite": ("Фортнајт", "у игрици Фортнајт"),
    "minecraft": ("Мајнкрафт", "у игрици Мајнкрафт"),
    "twitch": ("Твич", "на Твичу"),
    "x": ("Икс", "на мрежи Икс"),
}
# Games (platform keys) for situations that name one: name and "in it".
GAMES: dict[str, tuple[str, str]] = {
    "roblox": ("Роблокс", "у Роблоксу"),
    "fortnite": ("Фортнајт", "у Фортнајту"),
    "minecraft": ("Мајнкрафт", "у Мајнкрафту"),
}
GAME_MIX = {"roblox": 45, "fortnite": 30, "minecraft": 25}

# Where each category tends to happen (platform key → weight).
PLATFORM_MIX: dict[str, dict[str, float]] = {
    "default": {"instagram": 30, "tiktok": 25, "viber": 12, "facebook": 8, "whatsapp": 6, "snapchat": 6,
                "youtube": 5, "discord": 3, "telegram": 2, "x": 1, "twitch": 1, "roblox": 1},
    "predators": {"instagram": 25, "tiktok": 15, "snapchat": 12, "discord": 10, "roblox": 10, "viber": 8,
                  "telegram": 8, "fortnite": 6, "whatsapp": 6},
    "internet_addiction": {"tiktok": 30, "youtube": 20, "fortnite": 15, "minecraft": 10, "roblox": 12, "instagram": 8,
                           "twitch": 5},
    "dangerous_challenges": {"tiktok": 55, "youtube": 15, "instagram": 10, "viber": 10, "whatsapp": 5, "roblox": 5},
    "fraud": {"instagram": 25, "roblox": 15, "fortnite": 15, "facebook": 15, "telegram": 10, "viber": 10, "discord": 10},
    "csam": {"telegram": 35, "viber": 20, "instagram": 15, "discord": 10, "whatsapp": 10, "x": 10},
}

HANDLE_WORDS = ["mala", "princeza", "gamer", "tajni", "anon", "lepa", "cool", "fudbal", "drug", "top", "real",
                "zvezda", "anime", "model", "kasting", "agent", "trener", "muzika", "foto", "pro", "nocna", "shadow",
                "vuk", "lav", "ninja", "sunce", "mesec", "grad", "beogradski", "novosadski"]
HANDLE_NAMES = ["maja", "nikola", "ana", "luka", "mina", "sara", "vuk", "teodora", "lazar", "milica", "marko",
                "jovana", "stefan", "nina", "uros", "dunja", "ognjen", "lena"]
