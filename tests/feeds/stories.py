"""Stories the test outlets run, written for these tests (not taken from any outlet).

``WIRE`` is one agency story as three outlets run it: whole (Dawn), under another headline with
a byline and a dateline of its own (Geo News), and cut short with a paragraph of the outlet's own
added (Express). ``OTHER`` are unrelated stories, so that a poll has leaders of its own.
"""

from __future__ import annotations

WIRE = [
    "PESHAWAR, Pakistan: A suicide bomber struck a crowded market in the northwestern city of Peshawar on "
    "Friday, killing at least 12 people and wounding dozens more, police and hospital officials said.",
    "Islamic State Khorasan claimed responsibility for a suicide bombing in Peshawar on Friday that killed "
    "12 people, in a statement carried by its news outlet.",
    "The Taliban denied that the attackers had crossed from Afghanistan, and a spokesman in Kabul said the "
    "government would not allow its territory to be used against any neighbour.",
    "Pakistan accused the Taliban of sheltering the militants who plan attacks on its soil from bases across "
    "the border, a charge the foreign ministry repeated at its weekly briefing.",
    "Witnesses described a loud blast shortly after midday prayers, when the market is at its busiest, and said "
    "ambulances took more than an hour to reach the wounded through the narrow lanes of the old city.",
    "Hospital officials appealed for blood donations as the wards of the city's main hospital filled with the "
    "injured, many of them traders and porters who work in the market six days a week.",
    "The market was reopened on Saturday under heavy guard as traders counted their losses and families "
    "buried the dead in funerals attended by thousands of mourners across the city.",
    "Security forces have stepped up checks on roads leading into the city, and schools in the district will "
    "remain closed until Monday, the provincial government said in a statement.",
    "Analysts said IS-K seeks to provoke Pakistan into retaliating across the border, which would widen a "
    "rift between Islamabad and the Taliban that the group has long tried to exploit.",
]

# The same story: another headline and byline (the body whole), and one cut short with a paragraph added.
GEO = ["By our correspondent", *WIRE]
EXPRESS = [*WIRE[:-1], "In a separate incident, the Tehrik-i-Taliban Pakistan attacked a police post in Bannu on "
                       "Thursday night, wounding two officers, local officials told the Express Tribune."]

OTHER = [
    ["Tajikistan said on Tuesday that IS-K fired rockets at a border post from the Afghan province of Takhar, "
     "damaging a watchtower but causing no casualties.",
     "Dushanbe has reinforced its frontier with Afghanistan since the Taliban took power, and officials said "
     "patrols along the river would be doubled for the rest of the month.",
     "The report could not be independently verified, and the Taliban did not comment on it."],
    ["Uzbekistan and Tajikistan signed an agreement on border security on Wednesday, officials from both "
     "countries said after talks in the capital.",
     "The two governments pledged to share intelligence on militant groups operating in northern Afghanistan, "
     "the statement said, without giving further details."],
    ["The Taliban said on Thursday that IS-K attacked a Shiite mosque in Kabul, killing four worshippers at "
     "evening prayers.",
     "A Taliban spokesman said the attacker had been identified and that security at religious sites across "
     "the capital had been tightened."],
]
