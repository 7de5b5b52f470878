"""Names in the case a sentence needs: Russian declension of people's names, Kazakh endings.

A small rule set instead of a morphological dictionary: letters name Kazakhstani citizens,
whose names follow a few regular patterns, and a wrong guess is worse than leaving a name
as it is. So only what is certain declines (DOMAIN.md, "Official letters"):

- a name written in Latin letters (a worker known only by the passport's spelling) stays:
  its sound, which the ending follows, is unknown («JOHNА», «SMITHТЫҢ» are no Russian or
  Kazakh);
- Russian surnames in -ов/-ев/-ёв/-ин/-ын (-ова/-ева/-ина/-ына for women) and -ский/-ская
  decline as Russian ones; every other surname — -ұлы/-қызы, foreign, Korean — stays;
- Russian patronymics in -ович/-евич/-ич and -овна/-евна/-ична decline; -ұлы/-қызы stay;
- male given names ending in a consonant, -й or -ь decline (Нұрлан → Нұрлана), the few whose
  stem changes from their own table (Павел → Павла, Пётр → Петра); names in -а/-я decline
  for both sexes; female names ending in a consonant stay (Айгүл, Әсел);
- of a person whose sex nothing tells (``sex`` None) only a given name in -а/-я declines:
  every other ending declines for one sex only.

Kazakh attaches case endings to the last word of a phrase by vowel harmony and the final
sound: ``kk_suffix("Серікқызы", "gen")`` → ``Серікқызының``.
"""

from __future__ import annotations

import re
from typing import Literal

Sex = Literal["female", "male"]
RuCase = Literal["nom", "gen", "dat", "acc", "ins", "pre"]
KkCase = Literal["gen", "dat", "loc", "acc"]

_SIBILANTS = "жшчщц"
_VELARS = "гкхқғжшчщ"  # after these Russian writes -и, not -ы
_INDECLINABLE_PATRONYMIC = ("ұлы", "улы", "қызы", "кызы", "ули", "уулу", "кизи", "оглы", "кызы")


_LATIN_LETTER = re.compile("[A-Za-z]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")


def takes_cyrillic_ending(word: str) -> bool:
    """Whether a Russian or Kazakh ending may be glued to ``word`` (the last word of a
    phrase): not to one in Latin letters."""
    return bool(_CYRILLIC_LETTER.search(word)) or not _LATIN_LETTER.search(word)


def _cap(template: str, source: str) -> str:
    """Keep an all-capitals name in capitals after an ending was added."""
    return template.upper() if source.isupper() and len(source) > 1 else template


def _ending(word: str, stem_cut: int, endings: dict[RuCase, str], case: RuCase) -> str:
    if case == "nom":
        return word
    stem = word[: len(word) - stem_cut] if stem_cut else word
    return _cap(stem + endings[case], word)


_MASC_ADJ = {"gen": "ого", "dat": "ому", "acc": "ого", "ins": "им", "pre": "ом"}
_FEM_ADJ = {"gen": "ой", "dat": "ой", "acc": "ую", "ins": "ой", "pre": "ой"}
_MASC_HARD = {"gen": "а", "dat": "у", "acc": "а", "ins": "ом", "pre": "е"}
# Men's names whose stem changes when they decline: a vowel drops (Павел → Павла, Лев → Льва)
# or ё loses its stress (Пётр → Петра). "Павела", "Пётра" mark a letter as machine-made.
_MASC_CHANGED_STEMS = {"павел": "Павл", "пётр": "Петр", "петр": "Петр", "лев": "Льв"}
_MASC_OV = {"gen": "а", "dat": "у", "acc": "а", "ins": "ым", "pre": "е"}
_FEM_OV = {"gen": "ой", "dat": "ой", "acc": "у", "ins": "ой", "pre": "ой"}


def _first_declension(word: str, case: RuCase) -> str:
    """Nouns in -а/-я (Гүлнара, Мұса, Мария) in either sex."""
    low = word.lower()
    stem = word[:-1]
    if low.endswith("ия"):
        endings = {"gen": "и", "dat": "и", "acc": "ю", "ins": "ей", "pre": "и"}
    elif low.endswith("я"):
        endings = {"gen": "и", "dat": "е", "acc": "ю", "ins": "ей", "pre": "е"}
    else:
        after = low[-2] if len(low) > 1 else ""
        endings = {
            "gen": "и" if after in _VELARS else "ы",
            "dat": "е",
            "acc": "у",
            "ins": "ей" if after in _SIBILANTS else "ой",
            "pre": "е",
        }
    return word if case == "nom" else _cap(stem + endings[case], word)


def ru_surname(surname: str, sex: Sex | None, case: RuCase) -> str:
    """A surname in a Russian case; hyphenated parts decline each by itself."""
    if "-" in surname:
        return "-".join(ru_surname(part, sex, case) for part in surname.split("-"))
    if sex is None or not takes_cyrillic_ending(surname):
        return surname
    low = surname.lower()
    if sex == "male":
        if low.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return _ending(surname, 0, _MASC_OV, case)  # type: ignore[arg-type]
        if low.endswith(("ский", "цкий")):
            return _ending(surname, 2, _MASC_ADJ, case)  # type: ignore[arg-type]
        return surname
    if low.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return _ending(surname, 1, _FEM_OV, case)  # type: ignore[arg-type]
    if low.endswith(("ская", "цкая")):
        return _ending(surname, 2, _FEM_ADJ, case)  # type: ignore[arg-type]
    return surname


def ru_given_name(name: str, sex: Sex | None, case: RuCase) -> str:
    """A given name (one word or several, each declined) in a Russian case."""
    words = name.split()
    if len(words) > 1:
        return " ".join(ru_given_name(word, sex, case) for word in words)
    if not name or case == "nom" or not takes_cyrillic_ending(name):
        return name
    low = name.lower()
    if low.endswith(("а", "я")):
        return _first_declension(name, case)
    if sex is None:
        return name  # Алмаз or Айгүл, Игорь or Любовь: the ending follows the sex
    if sex == "female":
        if low.endswith("ь"):
            endings = {"gen": "и", "dat": "и", "acc": "ь", "ins": "ью", "pre": "и"}
            return _ending(name, 1, endings, case)  # type: ignore[arg-type]
        return name  # Айгүл, Әсел, Жұлдыз: female names ending in a consonant stay
    if low.endswith(("й", "ь")):
        endings = {"gen": "я", "dat": "ю", "acc": "я", "ins": "ем", "pre": "е"}
        return _ending(name, 1, endings, case)  # type: ignore[arg-type]
    if low[-1] in "аеёиоуыэюяәөүұі":
        return name  # Әли, Ғали, Серго: names ending in a vowel other than -а/-я stay
    endings = dict(_MASC_HARD)
    if low[-1] in _SIBILANTS:
        endings["ins"] = "ем"
    if low in _MASC_CHANGED_STEMS:
        return _cap(_MASC_CHANGED_STEMS[low] + endings[case], name)
    return _ending(name, 0, endings, case)  # type: ignore[arg-type]


def ru_patronymic(patronymic: str, sex: Sex | None, case: RuCase) -> str:
    low = patronymic.lower()
    if (
        not patronymic
        or case == "nom"
        or low.endswith(_INDECLINABLE_PATRONYMIC)
        or not takes_cyrillic_ending(patronymic)
    ):
        return patronymic
    if sex == "male" and low.endswith("ич"):
        endings = {"gen": "а", "dat": "у", "acc": "а", "ins": "ем", "pre": "е"}
        return _ending(patronymic, 0, endings, case)  # type: ignore[arg-type]
    if sex == "female" and low.endswith("на"):
        return _first_declension(patronymic, case)
    return patronymic


def ru_full_name(
    surname: str, given_names: str, patronymic: str, sex: Sex | None, case: RuCase = "nom"
) -> str:
    """«Нұрланова Айгүл Серікқызы» in ``case``: surname first, as identity documents list it."""
    parts = (
        ru_surname(surname, sex, case),
        ru_given_name(given_names, sex, case),
        ru_patronymic(patronymic, sex, case),
    )
    return " ".join(part for part in parts if part)


# -- Kazakh -------------------------------------------------------------------------------------

_KK_BACK = set("аоұыя")
# ё and ю in a loanword's last syllable make its endings soft: «Артёмнің», «Юрийдің».
_KK_FRONT = set("әеөүіэёю")
_KK_VOWELS = _KK_BACK | _KK_FRONT | set("иуюАОҰЫЯЁӘЕӨҮІЭИУЮ".lower())
_KK_SONORANT = set("лрйумнңзж")  # after these: -ға, -да, -ды (and -дың but after м, н, ң)
_KK_VOICELESS = set("кқпстфхцчшщбвгд")  # after these: -тың / -қа (б, в, г, д sound voiceless)


def _is_front(word: str) -> bool:
    """Vowel harmony from the last vowel that decides it (и, у, ю are neutral), except an и
    closed by a consonant in the last syllable (Путин, Максим, Дмитрий, Ибраһим): the
    endings after it are soft, «Путинге», «Максимнің», never «Максимның». A surname's
    Russian -ев follows its root: «Тоқаевтың», «Назарбаевтың», but «Әлиевтің»."""
    low = word.lower()
    if low.endswith("ев"):
        root = _harmony(low[:-2])
        if root is not None:
            return root
    harmony = _harmony(low)
    if harmony is None:
        # No vowel but a final и decides (Ли, Ни): и is read ій there, «Лидің».
        return low.endswith("и")
    return harmony


def _harmony(low: str) -> bool | None:
    """True for soft, False for hard, None when no letter of ``low`` decides."""
    for index in range(len(low) - 1, -1, -1):
        letter = low[index]
        if letter in _KK_FRONT:
            return True
        if letter in _KK_BACK:
            return False
        if letter == "и" and index < len(low) - 1 and "у" not in low[index:]:
            return True
    return None


def kk_suffix(phrase: str, case: KkCase) -> str:
    """``phrase`` with a Kazakh case ending on its last word (no hyphen, as in names)."""
    if not phrase:
        return phrase
    word = phrase.rstrip()
    last = word[-1].lower()
    front = _is_front(word)
    if last == "ь" and len(word) > 1:
        # A soft sign (Игорь, Любовь) makes the ending soft and lets the consonant before it
        # choose: «Игорьдің», «Игорьге», never «Игорьтың».
        last, front = word[-2].lower(), True
    # A final -ы/-і after a consonant is the possessive of an organisation's or state's name
    # (министрлігі, Республикасы): its endings take the pronominal -н-.
    possessive = last in "ыі" and len(word) > 2 and word[-2].lower() not in _KK_VOWELS
    # A final и, у, ю is read ій/ый, ұу/үу, йу: it ends in й or у, which take the genitive's
    # and accusative's -д- as the sonorants do («Ерғалидың», «Лиді», «судың»), not the -н-
    # of a vowel («Ерғалиның» is no Kazakh).
    if last in "иую":
        last = "й"
    if case == "gen":
        if last in _KK_VOWELS or last in "мнң":
            ending = "нің" if front else "ның"
        elif last in _KK_SONORANT:
            ending = "дің" if front else "дың"
        else:
            ending = "тің" if front else "тың"
    elif case == "dat":
        if possessive:
            ending = "не" if front else "на"
        elif last in _KK_VOWELS or last in _KK_SONORANT:
            ending = "ге" if front else "ға"
        elif last == "к" or (last in _KK_VOICELESS and front):
            ending = "ке"
        else:
            ending = "ке" if front else "қа"
    elif case == "loc":
        if possessive:
            ending = "нде" if front else "нда"
        elif last in _KK_VOWELS or last in _KK_SONORANT:
            ending = "де" if front else "да"
        else:
            ending = "те" if front else "та"
    else:  # accusative
        if possessive:
            ending = "н"
        elif last in _KK_VOWELS:
            ending = "ні" if front else "ны"
        elif last in _KK_SONORANT:
            ending = "ді" if front else "ды"
        else:
            ending = "ті" if front else "ты"
    if word.isupper() and len(word) > 1:
        ending = ending.upper()
    return word + ending


def kk_located(locative: str) -> str:
    """«Корея Республикасында» → «Корея Республикасындағы»: a place as the attribute of the
    noun after it («…Республикасындағы «…» компаниясында»), where two locatives in a row
    («Корея Республикасында «…» компаниясында») read as two separate places."""
    return locative + ("гі" if locative.endswith("е") else "ғы")


def _ru_dative_adjective(word: str) -> str | None:
    """«Государственная» → «Государственной», «Трудовой» → «Трудовому»; None if no adjective."""
    low = word.lower()
    if len(low) < 4:
        return None
    if low.endswith(("ая", "яя")):
        return word[:-2] + ("ой" if low.endswith("ая") else "ей")
    if low.endswith(("ый", "ой", "ое")):
        return word[:-2] + "ому"
    if low.endswith(("ий", "ее")):
        # After г, к, х the hard ending (Русскому), else the soft one (Высшему, Синему).
        return word[:-2] + ("ому" if low[-3] in "гкх" else "ему")
    return None


def ru_dative_organisation(name: str) -> str | None:
    """«Министерство труда» → «Министерству труда», «Государственная инспекция труда» →
    «Государственной инспекции труда»: the adjectives before the head noun and the head
    noun; None when unsure."""
    words = name.split()
    adjectives: list[str] = []
    while len(words) > 1 and (declined := _ru_dative_adjective(words[0])) is not None:
        adjectives.append(declined)
        words.pop(0)
    if not words:
        return None
    noun = _ru_dative_noun(words[0], " ".join(words[1:]))
    return None if noun is None else " ".join([*adjectives, noun])


def _ru_dative_noun(head: str, rest: str) -> str | None:
    low = head.lower()
    if low.endswith("ство") or low.endswith("ние") or low.endswith("лище"):
        dative = head[:-1] + "у" if low.endswith("о") else head[:-1] + "ю"
    elif low.endswith(("т", "р", "н", "л", "с", "д", "м")):
        dative = head + "у"  # Департамент, Комитет, Центр
    elif low.endswith("ия"):
        dative = head[:-1] + "и"  # Комиссия, Инспекция
    elif low.endswith("а"):
        dative = head[:-1] + "е"  # Служба, Палата
    else:
        return None
    return f"{dative} {rest}".strip()


def kk_citizen_genitive(name: str) -> str:
    """«Қазақстан Республикасының азаматы Нұрлановтың»; a name ending in Latin letters takes
    no ending of its own: «Қазақстан Республикасының JOHN SMITH есімді азаматының»."""
    return kk_citizen(name, "gen")


def kk_citizen(name: str, case: KkCase) -> str:
    """The citizen named with a case ending on the name («…азаматы Сейітова Дана
    Болатқызын», accusative), or, for a name ending in Latin letters, on «азаматы» after it
    («Қазақстан Республикасының JOHN SMITH есімді азаматын»)."""
    words = name.split()
    if words and not takes_cyrillic_ending(words[-1]):
        return f"Қазақстан Республикасының {name} есімді {kk_suffix('азаматы', case)}"
    return f"Қазақстан Республикасының азаматы {kk_suffix(name, case)}"


def kk_dative_organisation(name: str) -> str:
    """«...министрлігі» → «...министрлігіне»; a name in Latin letters takes its ending on
    «ұйымы» after it («Korea Labor Office ұйымына»): a Kazakh ending glued to a Latin word
    («Officeқа») is no Kazakh, and how the word sounds, which the ending follows, is unknown."""
    words = name.split()
    if words and _LATIN_LETTER.search(words[-1]) and not _CYRILLIC_LETTER.search(words[-1]):
        return f"{name.rstrip()} ұйымына"
    return kk_suffix(name, "dat")


def with_the(name: str) -> str:
    """An English institution's name in running text: "the Embassy of …" (once, never "the The")."""
    return name if name.startswith(("the ", "The ")) else f"the {name}"
