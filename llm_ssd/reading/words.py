"""The page's own words in the eight languages of the offline caption, by browser locale, for
Gradio's `gr.I18n`: its labels and headings, its introduction, each panel's plain line
(`line_<panel>`, English from `guide.PANEL_LINES`), the cue under a table wider than the screen
and the message for a file that is not sound. English is also what the page says when the
browser asks for another language. `{minutes}`, `{mebibytes}` and `{name}` are filled in by
`page_words` (the last by the browser)."""

from __future__ import annotations

from llm_ssd.reading.guide import PANEL_LINES

ENGLISH_WORDS: dict[str, str] = {
    "describe": "Describe",
    "compare": "Compare",
    "listen_live": "Listen live",
    "sound_clip": "Sound clip",
    "caption": "Caption",
    "caption_language": "Caption language",
    "how_to_read": "How to read this",
    "rate_fold": "Rate this caption (a classroom exercise: the paper's experts' rubric)",
    "advanced": "Advanced settings: ensemble, model checkpoint and AI caption",
    "scene": "Acoustic scene",
    "intro": "Drop a sound clip, record one or pick an example, and press **Describe**: the kind "
    "of place, the sounds in it, how it would feel to people, and a description in plain words. "
    "Recordings up to {minutes} minutes and {mebibytes} MiB. **Compare** puts two clips side by "
    "side.",
    "examples": "Examples: real recordings first, then synthetic clips (one click loads one)",
    "nothing_loaded": "No clip loaded yet.",
    "loaded": "Loaded:",
    "downloads": "Take it home: the figures (PNG) and the record (CSV, JSON)",
    "scroll_cue": "More columns to the right: swipe or scroll the table sideways →",
    "not_audio": "{name} is not a sound file. Pick a recording (WAV, MP3, FLAC, OGG, M4A or "
    "WebM), record one, or try an example.",
    **{f"line_{panel}": line for panel, line in PANEL_LINES.items()},
}

PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": ENGLISH_WORDS,
    "de": {
        "describe": "Beschreiben",
        "compare": "Vergleichen",
        "listen_live": "Live zuhören",
        "sound_clip": "Tonaufnahme",
        "caption": "Beschreibung",
        "caption_language": "Sprache der Beschreibung",
        "how_to_read": "So liest man das",
        "rate_fold": "Diese Beschreibung bewerten (eine Übung für die Klasse)",
        "advanced": "Erweiterte Einstellungen: Ensemble, Modell und KI-Beschreibung",
        "scene": "Art des Ortes",
        "intro": "Zieh eine Tonaufnahme hierher, nimm eine auf oder wähle ein Beispiel und drücke "
        "**Beschreiben**: welche Art von Ort, welche Geräusche darin, wie er auf Menschen wirken "
        "würde, und eine Beschreibung in einfachen Worten. Aufnahmen bis {minutes} Minuten und "
        "{mebibytes} MiB. **Vergleichen** stellt zwei Aufnahmen nebeneinander.",
        "examples": "Beispiele: zuerst echte Aufnahmen, dann künstliche (ein Klick lädt eines)",
        "nothing_loaded": "Noch keine Aufnahme geladen.",
        "loaded": "Geladen:",
        "downloads": "Zum Mitnehmen: die Abbildungen (PNG) und die Daten (CSV, JSON)",
        "scroll_cue": "Weitere Spalten rechts: die Tabelle seitwärts wischen oder scrollen →",
        "not_audio": "{name} ist keine Tondatei. Wähle eine Aufnahme (WAV, MP3, FLAC, OGG, M4A "
        "oder WebM), nimm eine auf oder probiere ein Beispiel.",
        "line_scene": "Nach welcher der drei Arten von Orten, die das Modell kennt, das am "
        "ehesten klingt.",
        "line_paq": "Wie ein durchschnittlicher Zuhörer 8 Eindrücke vom Klang bewerten würde, von "
        "1 (stimme gar nicht zu) bis 5 (stimme voll zu). Der gestrichelte Ring ist neutral (3).",
        "line_circumplex": "Dieselben Eindrücke als ein Punkt: weiter rechts ist angenehmer, "
        "weiter oben ereignisreicher. Die farbigen Punkte und Ellipsen sind echte Orte, so wie "
        "die Menschen dort sie bewertet haben.",
        "line_events": "Wie sicher das Modell ist (0 bis 1), dass jede von 15 Geräuscharten in "
        "der Aufnahme ist. Die blauen gehen an den Beschreibungsschreiber, der nur die "
        "deutlichsten nennen darf (Vögel, nicht Tiere).",
        "line_mel": "Die Energie des Klangs über die Zeit (von links nach rechts) und die Tonhöhe "
        "(unten tief, oben hoch): je heller, desto stärker (ein Log-Mel-Spektrogramm, das, was "
        "das Modell hört).",
        "line_loudness": "Wie laut die Aufnahme über die Zeit wirkt, in Sone (Lautheit nach ISO "
        "532-1). N5: nur 5 % der Zeit überschritten, N10: 10 %. Ein Handy ist nicht kalibriert: "
        "vergleiche seine Sone nur innerhalb einer Aufnahme.",
        "line_timeline": "Wie sich die Aufnahme verändert, ein Schritt je 30 Sekunden: die Art "
        "des Ortes, wie angenehm (ISOP) und ereignisreich (ISOE) er wirkt, von −1 bis +1, wie "
        "laut er ist und welche Geräusche darin sind (heller: sicherer).",
        "line_compare_paq": "Die 8 Eindrücke von Aufnahme A und Aufnahme B, übereinandergelegt.",
        "line_compare_circumplex": "Beide Aufnahmen auf einer Karte von angenehm × ereignisreich, "
        "mit den echten Orten dahinter.",
        "line_compare_events": "Jede Geräuschart, der Balken von Aufnahme A über dem von B.",
    },
    "fr": {
        "describe": "Décrire",
        "compare": "Comparer",
        "listen_live": "Écouter en direct",
        "sound_clip": "Extrait sonore",
        "caption": "Description",
        "caption_language": "Langue de la description",
        "how_to_read": "Comment lire ceci",
        "rate_fold": "Noter cette description (un exercice pour la classe)",
        "advanced": "Réglages avancés : ensemble, modèle et description par IA",
        "scene": "Type de lieu",
        "intro": "Déposez un extrait sonore, enregistrez-en un ou choisissez un exemple, puis "
        "appuyez sur **Décrire** : le type de lieu, les sons qu'on y entend, l'effet qu'il ferait "
        "aux gens, et une description en mots simples. Enregistrements jusqu'à {minutes} minutes "
        "et {mebibytes} Mio. **Comparer** met deux extraits côte à côte.",
        "examples": "Exemples : d'abord de vrais enregistrements, puis des extraits de synthèse "
        "(un clic en charge un)",
        "nothing_loaded": "Aucun extrait chargé pour l'instant.",
        "loaded": "Chargé :",
        "downloads": "À emporter : les figures (PNG) et les données (CSV, JSON)",
        "scroll_cue": "D'autres colonnes à droite : faites glisser le tableau sur le côté →",
        "not_audio": "{name} n'est pas un fichier sonore. Choisissez un enregistrement (WAV, MP3, "
        "FLAC, OGG, M4A ou WebM), enregistrez-en un ou essayez un exemple.",
        "line_scene": "Auquel des trois types de lieu que le modèle connaît cela ressemble le "
        "plus.",
        "line_paq": "Comment un auditeur moyen noterait 8 impressions du son, de 1 (pas du tout "
        "d'accord) à 5 (tout à fait d'accord). Le cercle en pointillé est neutre (3).",
        "line_circumplex": "Les mêmes impressions en un seul point : plus à droite, plus agréable "
        "; plus haut, plus animé. Les points et ellipses de couleur sont de vrais lieux, tels que "
        "les gens sur place les ont notés.",
        "line_events": "À quel point le modèle est sûr (0 à 1) que chacun des 15 types de son est "
        "dans l'extrait. Les bleus vont au rédacteur de la description, qui ne peut nommer que "
        "les plus nets (oiseaux, pas animaux).",
        "line_mel": "L'énergie du son dans le temps (de gauche à droite) et selon la hauteur "
        "(grave en bas, aigu en haut) : plus c'est clair, plus c'est fort (un spectrogramme "
        "log-mel, ce que le modèle entend).",
        "line_loudness": "La force perçue de l'extrait dans le temps, en sones (sonie ISO 532-1). "
        "N5 : dépassée seulement 5 % du temps, N10 : 10 %. Un téléphone n'est pas étalonné : "
        "comparez ses sones au sein d'un même enregistrement.",
        "line_timeline": "Comment l'enregistrement évolue, une étape toutes les 30 secondes : le "
        "type de lieu, à quel point il semble agréable (ISOP) et animé (ISOE) de −1 à +1, son "
        "intensité, et les sons présents (plus clair : plus sûr).",
        "line_compare_paq": "Les 8 impressions de l'extrait A et de l'extrait B, superposées.",
        "line_compare_circumplex": "Les deux extraits sur une même carte agréable × animé, avec "
        "les vrais lieux en arrière-plan.",
        "line_compare_events": "Chaque type de son, la barre de l'extrait A au-dessus de celle de "
        "B.",
    },
    "es": {
        "describe": "Describir",
        "compare": "Comparar",
        "listen_live": "Escuchar en directo",
        "sound_clip": "Grabación",
        "caption": "Descripción",
        "caption_language": "Idioma de la descripción",
        "how_to_read": "Cómo leer esto",
        "rate_fold": "Valorar esta descripción (un ejercicio para la clase)",
        "advanced": "Ajustes avanzados: conjunto, modelo y descripción por IA",
        "scene": "Tipo de lugar",
        "intro": "Suelta una grabación, graba una o elige un ejemplo y pulsa **Describir**: el "
        "tipo de lugar, los sonidos que hay, cómo lo sentiría la gente y una descripción con "
        "palabras sencillas. Grabaciones de hasta {minutes} minutos y {mebibytes} MiB. "
        "**Comparar** pone dos grabaciones una al lado de la otra.",
        "examples": "Ejemplos: primero grabaciones reales, luego sintéticas (un clic carga una)",
        "nothing_loaded": "Todavía no hay ninguna grabación cargada.",
        "loaded": "Cargada:",
        "downloads": "Para llevar: las figuras (PNG) y los datos (CSV, JSON)",
        "scroll_cue": "Más columnas a la derecha: desliza la tabla hacia el lado →",
        "not_audio": "{name} no es un archivo de sonido. Elige una grabación (WAV, MP3, FLAC, "
        "OGG, M4A o WebM), graba una o prueba un ejemplo.",
        "line_scene": "A cuál de los tres tipos de lugar que conoce el modelo se parece más.",
        "line_paq": "Cómo valoraría un oyente medio 8 impresiones del sonido, de 1 (muy en "
        "desacuerdo) a 5 (muy de acuerdo). El anillo discontinuo es neutro (3).",
        "line_circumplex": "Las mismas impresiones en un solo punto: más a la derecha es más "
        "agradable, más arriba más animado. Los puntos y elipses de color son lugares reales, tal "
        "como los valoró la gente allí.",
        "line_events": "Qué tan seguro está el modelo (0 a 1) de que cada uno de 15 tipos de "
        "sonido está en la grabación. Los azules van al redactor de la descripción, que solo "
        "puede nombrar los más claros (pájaros, no animales).",
        "line_mel": "La energía del sonido en el tiempo (de izquierda a derecha) y por tono "
        "(grave abajo, agudo arriba): cuanto más claro, más fuerte (un espectrograma log-mel, lo "
        "que oye el modelo).",
        "line_loudness": "Lo fuerte que parece la grabación en el tiempo, en sonios (sonoridad "
        "ISO 532-1). N5: superada solo el 5 % del tiempo, N10: el 10 %. Un móvil no está "
        "calibrado: compara sus sonios solo dentro de una grabación.",
        "line_timeline": "Cómo cambia la grabación, un paso cada 30 segundos: el tipo de lugar, "
        "lo agradable (ISOP) y animado (ISOE) que parece de −1 a +1, lo fuerte que suena y qué "
        "sonidos hay (más claro: más seguro).",
        "line_compare_paq": "Las 8 impresiones de la grabación A y la B, una sobre otra.",
        "line_compare_circumplex": "Las dos grabaciones en un mapa de agradable × animado, con "
        "los lugares reales detrás.",
        "line_compare_events": "Cada tipo de sonido, la barra de A sobre la de B.",
    },
    "nl": {
        "describe": "Beschrijven",
        "compare": "Vergelijken",
        "listen_live": "Live luisteren",
        "sound_clip": "Geluidsopname",
        "caption": "Beschrijving",
        "caption_language": "Taal van de beschrijving",
        "how_to_read": "Zo lees je dit",
        "rate_fold": "Deze beschrijving beoordelen (een oefening voor de klas)",
        "advanced": "Geavanceerde instellingen: ensemble, model en AI-beschrijving",
        "scene": "Soort plek",
        "intro": "Sleep een geluidsopname hierheen, neem er een op of kies een voorbeeld, en druk "
        "op **Beschrijven**: wat voor plek het is, welke geluiden erin zitten, hoe het op mensen "
        "zou overkomen, en een beschrijving in gewone woorden. Opnamen tot {minutes} minuten en "
        "{mebibytes} MiB. **Vergelijken** zet twee opnamen naast elkaar.",
        "examples": "Voorbeelden: eerst echte opnamen, dan synthetische (één klik laadt er een)",
        "nothing_loaded": "Nog geen opname geladen.",
        "loaded": "Geladen:",
        "downloads": "Mee naar huis: de figuren (PNG) en de gegevens (CSV, JSON)",
        "scroll_cue": "Meer kolommen rechts: veeg of scrol de tabel opzij →",
        "not_audio": "{name} is geen geluidsbestand. Kies een opname (WAV, MP3, FLAC, OGG, M4A of "
        "WebM), neem er een op of probeer een voorbeeld.",
        "line_scene": "Op welke van de drie soorten plekken die het model kent dit het meest "
        "lijkt.",
        "line_paq": "Hoe een gemiddelde luisteraar 8 indrukken van het geluid zou beoordelen, van "
        "1 (helemaal oneens) tot 5 (helemaal eens). De gestippelde ring is neutraal (3).",
        "line_circumplex": "Dezelfde indrukken als één punt: verder naar rechts is aangenamer, "
        "hoger is levendiger. De gekleurde stippen en ellipsen zijn echte plekken, zoals de "
        "mensen daar ze beoordeelden.",
        "line_events": "Hoe zeker het model is (0 tot 1) dat elk van 15 soorten geluid in de "
        "opname zit. De blauwe gaan naar de schrijver van de beschrijving, die alleen de "
        "duidelijkste mag noemen (vogels, geen dieren).",
        "line_mel": "De energie van het geluid in de tijd (van links naar rechts) en naar "
        "toonhoogte (laag onder, hoog boven): hoe lichter, hoe sterker (een log-mel-spectrogram, "
        "wat het model hoort).",
        "line_loudness": "Hoe luid de opname klinkt in de tijd, in sone (luidheid volgens ISO "
        "532-1). N5: maar 5 % van de tijd overschreden, N10: 10 %. Een telefoon is niet "
        "gekalibreerd: vergelijk zijn sone alleen binnen één opname.",
        "line_timeline": "Hoe de opname verandert, één stap per 30 seconden: de soort plek, hoe "
        "aangenaam (ISOP) en levendig (ISOE) het aanvoelt van −1 tot +1, hoe luid het is en welke "
        "geluiden erin zitten (lichter: zekerder).",
        "line_compare_paq": "De 8 indrukken van opname A en opname B, over elkaar heen.",
        "line_compare_circumplex": "Beide opnamen op één kaart van aangenaam × levendig, met de "
        "echte plekken erachter.",
        "line_compare_events": "Elke soort geluid, de balk van A boven die van B.",
    },
    "it": {
        "describe": "Descrivi",
        "compare": "Confronta",
        "listen_live": "Ascolta dal vivo",
        "sound_clip": "Registrazione",
        "caption": "Descrizione",
        "caption_language": "Lingua della descrizione",
        "how_to_read": "Come leggere questa pagina",
        "rate_fold": "Valuta questa descrizione (un esercizio per la classe)",
        "advanced": "Impostazioni avanzate: insieme, modello e descrizione IA",
        "scene": "Tipo di luogo",
        "intro": "Trascina una registrazione, registrane una o scegli un esempio e premi "
        "**Descrivi**: il tipo di luogo, i suoni che contiene, come lo sentirebbero le persone e "
        "una descrizione in parole semplici. Registrazioni fino a {minutes} minuti e {mebibytes} "
        "MiB. **Confronta** mette due registrazioni una accanto all'altra.",
        "examples": "Esempi: prima registrazioni vere, poi sintetiche (un clic ne carica una)",
        "nothing_loaded": "Nessuna registrazione caricata.",
        "loaded": "Caricata:",
        "downloads": "Da portare via: le figure (PNG) e i dati (CSV, JSON)",
        "scroll_cue": "Altre colonne a destra: scorri la tabella di lato →",
        "not_audio": "{name} non è un file audio. Scegli una registrazione (WAV, MP3, FLAC, OGG, "
        "M4A o WebM), registrane una o prova un esempio.",
        "line_scene": "A quale dei tre tipi di luogo che il modello conosce somiglia di più.",
        "line_paq": "Come un ascoltatore medio valuterebbe 8 impressioni del suono, da 1 (per "
        "niente d'accordo) a 5 (del tutto d'accordo). L'anello tratteggiato è neutro (3).",
        "line_circumplex": "Le stesse impressioni in un solo punto: più a destra è più piacevole, "
        "più in alto più movimentato. I punti e le ellissi colorati sono luoghi reali, come li "
        "hanno valutati le persone sul posto.",
        "line_events": "Quanto è sicuro il modello (da 0 a 1) che ciascuno dei 15 tipi di suono "
        "sia nella registrazione. Quelli blu vanno a chi scrive la descrizione, che può nominare "
        "solo i più chiari (uccelli, non animali).",
        "line_mel": "L'energia del suono nel tempo (da sinistra a destra) e per altezza (grave in "
        "basso, acuto in alto): più chiaro, più forte (uno spettrogramma log-mel, ciò che sente "
        "il modello).",
        "line_loudness": "Quanto sembra forte la registrazione nel tempo, in son (sonorità ISO "
        "532-1). N5: superata solo il 5 % del tempo, N10: il 10 %. Un telefono non è calibrato: "
        "confronta i suoi son solo dentro una stessa registrazione.",
        "line_timeline": "Come cambia la registrazione, un passo ogni 30 secondi: il tipo di "
        "luogo, quanto sembra piacevole (ISOP) e movimentato (ISOE) da −1 a +1, quanto è forte e "
        "quali suoni contiene (più chiaro: più sicuro).",
        "line_compare_paq": "Le 8 impressioni della registrazione A e della B, sovrapposte.",
        "line_compare_circumplex": "Entrambe le registrazioni su una mappa piacevole × "
        "movimentato, con i luoghi reali sullo sfondo.",
        "line_compare_events": "Ogni tipo di suono, la barra di A sopra quella di B.",
    },
    "pt": {
        "describe": "Descrever",
        "compare": "Comparar",
        "listen_live": "Ouvir ao vivo",
        "sound_clip": "Gravação",
        "caption": "Descrição",
        "caption_language": "Idioma da descrição",
        "how_to_read": "Como ler isto",
        "rate_fold": "Avaliar esta descrição (um exercício para a turma)",
        "advanced": "Definições avançadas: conjunto, modelo e descrição por IA",
        "scene": "Tipo de lugar",
        "intro": "Arraste uma gravação, grave uma ou escolha um exemplo e carregue em "
        "**Descrever**: o tipo de lugar, os sons que tem, como as pessoas o sentiriam e uma "
        "descrição em palavras simples. Gravações até {minutes} minutos e {mebibytes} MiB. "
        "**Comparar** põe duas gravações lado a lado.",
        "examples": "Exemplos: primeiro gravações reais, depois sintéticas (um clique carrega uma)",
        "nothing_loaded": "Ainda não há gravação carregada.",
        "loaded": "Carregada:",
        "downloads": "Para levar: as figuras (PNG) e os dados (CSV, JSON)",
        "scroll_cue": "Mais colunas à direita: deslize a tabela para o lado →",
        "not_audio": "{name} não é um ficheiro de som. Escolha uma gravação (WAV, MP3, FLAC, OGG, "
        "M4A ou WebM), grave uma ou experimente um exemplo.",
        "line_scene": "Com qual dos três tipos de lugar que o modelo conhece isto mais se parece.",
        "line_paq": "Como um ouvinte médio avaliaria 8 impressões do som, de 1 (discordo "
        "totalmente) a 5 (concordo totalmente). O anel tracejado é neutro (3).",
        "line_circumplex": "As mesmas impressões num só ponto: mais à direita é mais agradável, "
        "mais acima mais movimentado. Os pontos e elipses coloridos são lugares reais, como as "
        "pessoas de lá os avaliaram.",
        "line_events": "Quão seguro está o modelo (0 a 1) de que cada um de 15 tipos de som está "
        "na gravação. Os azuis vão para quem escreve a descrição, que só pode nomear os mais "
        "claros (aves, não animais).",
        "line_mel": "A energia do som ao longo do tempo (da esquerda para a direita) e por altura "
        "(grave em baixo, agudo em cima): quanto mais claro, mais forte (um espectrograma "
        "log-mel, o que o modelo ouve).",
        "line_loudness": "Quão alta parece a gravação ao longo do tempo, em sones (sonoridade ISO "
        "532-1). N5: ultrapassada só 5 % do tempo, N10: 10 %. Um telemóvel não está calibrado: "
        "compare os seus sones só dentro de uma gravação.",
        "line_timeline": "Como a gravação muda, um passo a cada 30 segundos: o tipo de lugar, "
        "quão agradável (ISOP) e movimentado (ISOE) parece de −1 a +1, quão alto é e que sons tem "
        "(mais claro: mais seguro).",
        "line_compare_paq": "As 8 impressões da gravação A e da B, uma sobre a outra.",
        "line_compare_circumplex": "As duas gravações num mapa de agradável × movimentado, com os "
        "lugares reais por trás.",
        "line_compare_events": "Cada tipo de som, a barra de A por cima da de B.",
    },
    "zh": {
        "describe": "描述",
        "compare": "比较",
        "listen_live": "实时聆听",
        "sound_clip": "录音",
        "caption": "描述文字",
        "caption_language": "描述语言",
        "how_to_read": "如何阅读",
        "rate_fold": "为这段描述打分（课堂练习）",
        "advanced": "高级设置：集成、模型与 AI 描述",
        "scene": "场所类型",
        "intro": "拖入一段录音、现场录一段或选一个示例，然后按 **描述**：这是什么样的地方、里面有"
        "哪些声音、人们会有什么感受，以及一段通俗的描述。录音最长 {minutes} 分钟、{mebibytes} MiB。"
        "**比较** 把两段录音并排显示。",
        "examples": "示例：先是真实录音，后是合成片段（点一下即可载入）",
        "nothing_loaded": "还没有载入录音。",
        "loaded": "已载入：",
        "downloads": "带走：图表（PNG）和数据（CSV、JSON）",
        "scroll_cue": "右边还有更多列：把表格向旁边滑动或滚动 →",
        "not_audio": "{name} 不是声音文件。请选择一段录音（WAV、MP3、FLAC、OGG、M4A 或 WebM）、现"
        "场录一段，或试试示例。",
        "line_scene": "这段声音最像模型所知道的三种场所中的哪一种。",
        "line_paq": "一位普通听众会如何评价对这段声音的 8 种感受，从 1（完全不同意）到 5（完全同意"
        "）。虚线圆圈表示中性（3）。",
        "line_circumplex": "把同样的感受画成一个点：越靠右越愉悦，越靠上越热闹。彩色的点和椭圆是真"
        "实的地方，按当地人的评价画出。",
        "line_events": "模型有多确定（0 到 1）录音里有这 15 类声音中的每一类。蓝色的会交给写描述的"
        "一方，它只能说出最清楚的（鸟，而不是动物）。",
        "line_mel": "声音的能量随时间（从左到右）和音高（下低上高）的分布：越亮越强（对数梅尔频谱"
        "图，也就是模型所“听”到的）。",
        "line_loudness": "录音听起来随时间有多响，单位为宋（ISO 532-1 响度）。N5：只有 5% 的时间超"
        "过，N10：10%。手机没有校准：只在同一段录音里比较它的宋值。",
        "line_timeline": "录音如何变化，每 30 秒一步：场所类型、从 −1 到 +1 感觉有多愉悦（ISOP）和"
        "多热闹（ISOE）、有多响，以及有哪些声音（越亮越确定）。",
        "line_compare_paq": "录音 A 和录音 B 的 8 种感受，叠在一起。",
        "line_compare_circumplex": "两段录音画在同一张 愉悦 × 热闹 的图上，背后是真实的地方。",
        "line_compare_events": "每类声音，A 的条在 B 的条上面。",
    },
}
"""Keyed by locale (the browser's language), then by word."""


def page_words(**numbers: object) -> dict[str, dict[str, str]]:
    """`PAGE_WORDS` with `numbers` filled in (`{minutes}`, `{mebibytes}`); a `{name}` that
    no number fills stays, for the browser."""
    fill = {"name": "{name}", **numbers}
    return {
        locale: {key: text.format_map(fill) for key, text in words.items()}
        for locale, words in PAGE_WORDS.items()
    }
