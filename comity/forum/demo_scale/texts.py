"""The texts of the synthetic forum (`comity.forum.demo_scale`): fictional, generic practitioners' posts and
thread titles in the seven UI languages."""

# Fictional, generic practitioners' texts; "request" is in most English ones (about a third of all posts),
# 司法协助 and المساعدة in two of the three Chinese and Arabic ones.
BODIES: dict[str, tuple[str, ...]] = {
    "en": (
        "**Request for bank records**: our central authority needs three items before execution:\n\n"
        "- the account holder's full name\n- the period covered\n- the link to the offence\n\n"
        "See the [checklist](https://example.org/checklist).",
        "> Can the request be sent by e-mail in advance?\n\nYes. Send an advance copy of the request to the "
        "24/7 point of contact; the **formal request** follows through the central authority.",
        "Thank you. We executed a similar request last year:\n\n1. freezing order within 48 hours\n"
        "2. certified copies by courier\n3. **no** dual criminality issue\n\nHappy to share the template.",
        "For videoconference hearings, please tell us in the request:\n\n- the language of the witness\n"
        "- whether an interpreter is needed\n- the time zone\n\nMore in our [guide](https://example.org/video).",
        "> What is the usual timeline?\n\nAbout **six weeks** for service of documents, longer when the address "
        "must be traced. Urgent requests are handled within days.",
        "We would add one point: state whether the person may be informed of the request. Some laws require "
        "notice to the account holder, which can *compromise* the investigation.",
        "Agreed. The working group will meet online next month; the draft agenda is on the "
        "[shared page](https://example.org/agenda). Comments by **Friday**, please.",
    ),
    "fr": (
        "**Demande d'entraide** : merci de préciser\n\n- la période visée\n- les comptes concernés\n"
        "- le lien avec l'infraction\n\nNotre [modèle](https://example.org/fr/modele) peut aider.",
        "> La copie anticipée par courriel est-elle acceptée ?\n\nOui, à condition que la demande **officielle** "
        "suive par l'autorité centrale dans les trente jours.",
        "Pour les auditions par visioconférence, nous exigeons :\n\n1. la présence d'un magistrat\n"
        "2. un interprète assermenté\n3. un essai technique la **veille**",
    ),
    "es": (
        "**Solicitud urgente**: conviene avisar por este espacio antes de transmitirla, indicando\n\n"
        "- la medida solicitada\n- el plazo\n- el idioma\n\nVer la [guía](https://example.org/es/guia).",
        "> ¿Cuánto tarda la notificación de documentos?\n\nEntre **cuatro y ocho semanas**, según la región. "
        "Los casos urgentes se tramitan en días.",
        "Gracias. Para el embargo preventivo necesitamos:\n\n1. la resolución judicial\n2. los datos de la cuenta\n"
        "3. una traducción **certificada**",
    ),
    "pt": (
        "**Pedido de cooperação**: para a quebra de sigilo bancário precisamos de\n\n- nome completo do titular\n"
        "- período das transações\n- vínculo com o crime\n\nVeja o [roteiro](https://example.org/pt/roteiro).",
        "> É possível adiantar o pedido por e-mail?\n\nSim, em espanhol ou inglês; a tradução **oficial** para o "
        "português pode seguir depois.",
        "Obrigada. Na oitiva por videoconferência usamos uma lista de verificação:\n\n1. teste de conexão\n"
        "2. intérprete\n3. identificação da **testemunha**",
    ),
    "ru": (
        "**Запрос о правовой помощи**: просим указать\n\n- период операций\n- номера счетов\n"
        "- связь с преступлением\n\nСм. [образец](https://example.org/ru/obrazets).",
        "> Возможна ли срочная сохранность данных?\n\nДа, через контактный пункт **24/7**; официальный запрос "
        "направляется позже через центральный орган.",
        "Спасибо. Сроки хранения данных у нас:\n\n1. абонентские данные — три года\n"
        "2. данные о трафике — один год\n3. содержание — *не хранится*",
    ),
    "ar": (
        "**طلب المساعدة القانونية المتبادلة**: يرجى تحديد\n\n- فترة المعاملات\n- أرقام الحسابات\n"
        "- الصلة بالجريمة\n\nانظر [النموذج](https://example.org/ar/namudhaj).",
        "> هل يمكن إرسال نسخة مسبقة بالبريد الإلكتروني؟\n\nنعم، على أن يُرسل الطلب **الرسمي** عبر السلطة "
        "المركزية خلال ثلاثين يوماً.",
        "شكراً. نحتاج في طلبات المساعدة المتعلقة بالأدلة الإلكترونية إلى:\n\n1. عنوان IP مع التوقيت\n"
        "2. المنطقة الزمنية\n3. نوع البيانات **المطلوبة**",
    ),
    "zh-hans": (
        "**司法协助请求**：请在请求中写明\n\n- 账户持有人姓名\n- 交易期间\n- 与犯罪的关联\n\n"
        "参见[清单](https://example.org/zh/qingdan)。",
        "> 能否先通过电子邮件发送请求副本？\n\n可以，但**正式请求**须经中央机关转递。",
        "谢谢。关于司法协助中的视频作证，我们需要：\n\n1. 证人的语言\n2. 是否需要翻译\n3. **时区**",
    ),
}
RARE_BODY = (
    "Update on the fictional Operation Kittiwake: the **asset freeze** was confirmed by the court. "
    "The file is closed on our side; see the [summary](https://example.org/kittiwake)."
)
REVISION_BODY = "(earlier wording of this synthetic post)"
HIDDEN_REASON = "Synthetic: off-topic"
TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Requests for bank records: what makes them executable?",
        "Service of judicial documents: typical timelines",
        "Urgent freezing orders: advance copies by e-mail",
    ),
    "fr": ("Garanties diplomatiques et conditions de détention", "Auditions par visioconférence"),
    "es": ("Solicitudes urgentes: aviso previo por la red", "Embargo preventivo de cuentas"),
    "pt": ("Quebra de sigilo bancário: requisitos", "Oitiva de testemunhas por videoconferência"),
    "ru": ("Сроки хранения данных у поставщиков услуг", "Срочная сохранность электронных данных"),
    "ar": ("طلبات المساعدة القانونية المتبادلة", "الأدلة الإلكترونية عبر الحدود"),
    "zh-hans": ("跨境调取电子证据", "司法协助请求的要素"),
}
LONG_TITLE = "Practitioners' exchange: executing requests for bank records"
COMPARISON_TITLE = "Videoconference hearings: practical arrangements"
