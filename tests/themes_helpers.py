"""A study whose round 1 carries themed rationales in English and French (issue 22 tests)."""

from __future__ import annotations

from tests.factories import make_study, submit_round

# Option 1: four experts on China's retaliation (impact -3), four on the cost (-1), four
# on the alliances (+3); each theme in English and French. Option 2: two short rationales.
RATIONALES = [
    ("Beijing would likely retaliate against Canadian exports such as canola and pork.", -3),
    ("La Chine a déjà puni le Canada économiquement et y verrait un acte hostile.", -3),
    ("Our trade with China could suffer sanctions and boycotts in response.", -3),
    ("Il faut s'attendre à des droits de douane et à des interdictions d'importation de "
     "Pékin dès que le Canada signe.", -3),
    ("The navy does not have enough ships or sailors to sustain another commitment.", -1),
    ("Le budget est déjà serré ; cet argent serait mieux dépensé pour le recrutement.", -1),
    ("Sending a frigate to Asia every year costs hundreds of millions of dollars.", -1),
    ("Les dépenses de défense sont limitées et cela détournerait des ressources rares.", -1),
    ("Joining would show Washington and Tokyo that Canada is a reliable ally.", 3),
    ("Notre crédibilité auprès de nos partenaires dépend de notre présence aux exercices.", 3),
    ("It strengthens the trilateral partnership and our standing as a trusted ally.", 3),
    ("Nos alliés nous ont demandé d'en faire plus dans l'Indo-Pacifique ; l'adhésion "
     "répond à cette demande.", 3),
]


def themed_study(owner=None, *, languages=("en", "fr")):
    """12 experts, 2 options, round 1 submitted by all (still open)."""
    study = make_study(owner, n_experts=len(RATIONALES), n_options=2,
                       languages=list(languages))
    for i, (text, impact) in enumerate(RATIONALES):
        submit_round(study, i, [(0.5, impact), (0.5, 1)],
                     rationales={0: text, 1: "Agree."})
    return study
